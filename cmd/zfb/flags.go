package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp is returned when --help was asked for and printed: run answers
// it with exit status 0.
var errHelp = errors.New("help printed")

// envName is the environment variable every flag also reads: ZFB_ and the
// flag's name in capitals, dashes as underscores (--admin-url:
// ZFB_ADMIN_URL).
func envName(flagName string) string {
	return "ZFB_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// isHelp tells whether a command's argument asks for its help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// command describes a flag set for its help: the usage lines and what
// the command does.
type command struct {
	usage, about string
}

// newFlags returns the flag set of a command; e.parse prints its help.
func (e environment) newFlags(name string, cmd command) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {} // e.parse prints the help, to stdout or stderr
	if e.helps != nil {
		e.helps[fs] = cmd
	}
	return fs
}

// parse applies the ZFB_* variables of fs's flags, then args, in which
// flags may come after the positional arguments ("trade pay T1 --buyer
// B"). It prints the help on stdout and returns errHelp for --help, and
// prints it on stderr and returns errUsage for a bad flag.
func (e environment) parse(fs *flag.FlagSet, args []string) error {
	if e.onParse != nil {
		e.onParse(fs)
	}
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		key := envName(f.Name)
		if v := e.getenv(key); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", key, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			e.printHelp(e.stdout, fs)
			return errHelp
		}
		if err != nil {
			fmt.Fprintln(e.stderr)
			e.printHelp(e.stderr, fs)
			return errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			positional = append(positional, rest...) // all after "--" are arguments
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	// Let fs.Args() and fs.NArg() see the positional arguments.
	return fs.Parse(append([]string{"--"}, positional...))
}

// printHelp writes a command's usage and every flag with its default and
// its ZFB_* variable.
func (e environment) printHelp(w io.Writer, fs *flag.FlagSet) {
	cmd := e.helps[fs]
	if cmd.usage == "" {
		cmd.usage = fs.Name() + " [flags]"
	}
	fmt.Fprintf(w, "usage: %s\n", strings.ReplaceAll(strings.TrimSpace(cmd.usage), "\n", "\n       "))
	if cmd.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.about))
	}
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	if len(flags) == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags (each also read from the environment variable named beside it; a flag wins over its variable):\n")
	for _, f := range flags {
		arg, help := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		fmt.Fprintf(w, "  %-28s %s\n", name, envName(f.Name))
		fmt.Fprintf(w, "        %s", help)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
}
