package report

import "testing"

// reads_spikein has its own fixed colour, shared with no other read
// category or class, and a readable label.
func TestSpikeinCategoryColour(t *testing.T) {
	c, ok := categoryColours["reads_spikein"]
	if !ok {
		t.Fatal("reads_spikein has no fixed colour")
	}
	for name, o := range categoryColours {
		if name != "reads_spikein" && o == c {
			t.Errorf("reads_spikein shares its colour with %s", name)
		}
	}
	for _, o := range extraColours {
		if o == c {
			t.Error("reads_spikein's colour is one of the hashed tints")
		}
	}
	if got := categoryLabel("reads_spikein"); got != "spike-in" {
		t.Errorf("label %q, want spike-in", got)
	}
	for _, class := range []string{"YRNA", "vaultRNA", "SRP_RNA"} {
		if _, ok := categoryColours[class]; !ok {
			t.Errorf("class %s has no fixed colour", class)
		}
	}
}
