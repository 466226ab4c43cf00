package interop

// Reading README's Walkthrough: its command lines, and how sh would split them.

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeWalkthroughCommands returns the lines of the ```sh blocks under the Walkthrough heading,
// up to the next "## " heading, trimmed, without blank lines and comments.
func readmeWalkthroughCommands(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+walkthroughHeading+"\n")
	if !ok {
		t.Fatalf("%s has no %q section", path, walkthroughHeading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var cmds []string
	block := "" // "" outside a fenced block, else its opening fence
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "```"):
			if block == "" {
				block = line
			} else {
				block = ""
			}
		case block == "```sh" && line != "" && !strings.HasPrefix(line, "#"):
			cmds = append(cmds, line)
		}
	}
	return cmds
}

var shellWordRE = regexp.MustCompile(`'[^']*'|[^\s']+`)

// shellWords splits a README command line as sh would, for the words it uses: bare words and
// single-quoted strings.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	words := shellWordRE.FindAllString(line, -1)
	if strings.Join(words, " ") != strings.Join(strings.Fields(line), " ") {
		t.Fatalf("cannot split %q into shell words", line)
	}
	for i, w := range words {
		words[i] = strings.Trim(w, "'")
	}
	if len(words) == 0 {
		t.Fatalf("an empty command line")
	}
	return words
}
