// Package testenv decides what a test does when something it checks against
// lies outside the repository — a peer tool such as bowtie, cutadapt or
// mirtop, or the development data in ../shared: on a user's clone the test
// is skipped with a message; in CI (the environment variable CI is "true"),
// where .ci/run installs the tools and the data are present, it fails.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// CI reports whether the tests run in CI (CI=true), where every tool and
// data set a test names must be present.
func CI() bool { return os.Getenv("CI") == "true" }

// Missing stops the test for want of what msg names: a failure in CI, a
// skip elsewhere.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		t.Fatal(msg + " (required when CI=true)")
	}
	t.Skip(msg)
}

// Tool returns the path of the first of names found on PATH, or stops the
// test as Missing does.
func Tool(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, "%s not installed (a Debian package; .ci/run installs it)", strings.Join(names, " or "))
	return ""
}

// Path stops the test as Missing does when path does not exist.
func Path(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, "not present: %v", err)
	}
}
