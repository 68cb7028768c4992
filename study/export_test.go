package study

import (
	"context"

	"github.com/exomir/exomir/diffexp"
)

// SetIsomirDEFit replaces the isomiR DE fit for a test and returns the
// function that puts it back.
func SetIsomirDEFit(f func(context.Context, []diffexp.IsomirLevel, *diffexp.ColData, diffexp.Options) ([]*diffexp.Results, error)) (restore func()) {
	old := isomirDEFit
	isomirDEFit = f
	return func() { isomirDEFit = old }
}
