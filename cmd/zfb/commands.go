package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// sandbox prints sandbox.json, creating the sandbox on an empty database.
// Its URLs are those the last `zfb serve` on the database bound
// (zfb.SettingServerURL), unless --addr or ZFB_ADDR names others.
func (e environment) sandbox(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb sandbox", command{usage: "zfb sandbox [--data DIR] [--db URL] [--addr HOST:PORT]",
		about: "Prints sandbox.json: the apps with their keys, the buyers, the admin token and the URLs of the server\n" +
			"(those the last `zfb serve` on this database bound, unless --addr is given). It creates the sandbox on an\nempty database."})
	c := e.flags(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	addrGiven := e.getenv("ZFB_ADDR") != ""
	fs.Visit(func(f *flag.Flag) { addrGiven = addrGiven || f.Name == "addr" })
	svc, closeStore, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer closeStore()
	if _, err := sandbox.Ensure(ctx, svc, e.sandboxOptions...); err != nil {
		return err
	}
	base := c.baseURL()
	if !addrGiven {
		if served, err := svc.Setting(ctx, zfb.SettingServerURL); err == nil && served != "" {
			base = served
		} else if err != nil && !errors.Is(err, zfb.ErrNotFound) {
			return err
		}
	}
	file, err := sandbox.Load(ctx, svc, base)
	if err != nil {
		return err
	}
	// The certificates are inline; the paths are those of the files zfb
	// serve wrote to the data directory, if it did.
	file.FindCertificates(filepath.Join(c.data, "certs"))
	_, err = e.stdout.Write(file.JSON())
	return err
}

// adminToken runs `zfb admin-token rotate`: a new admin token replaces the
// old one in the database (running servers take it up within a second),
// is printed alone on stdout, and is written to <data>/sandbox.json when
// that file exists.
func (e environment) adminToken(ctx context.Context, args []string) error {
	const usage = "usage: zfb admin-token rotate [--data DIR] [--db URL]\n"
	fs := e.newFlags("zfb admin-token rotate", command{usage: "zfb admin-token rotate [--data DIR] [--db URL]",
		about: "Replaces the admin token in the database (running servers take the new one up within a second),\n" +
			"prints it, and writes it to <data>/sandbox.json when that file exists."})
	c := e.flags(fs)
	if len(args) > 0 && isHelp(args[0]) {
		return e.parse(fs, []string{"--help"})
	}
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	if err := e.parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	addrGiven := e.getenv("ZFB_ADDR") != ""
	fs.Visit(func(f *flag.Flag) { addrGiven = addrGiven || f.Name == "addr" })
	svc, closeStore, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer closeStore()
	token, err := svc.RotateAdminToken(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(e.stdout, token); err != nil {
		return err
	}

	sandboxPath := filepath.Join(c.data, "sandbox.json")
	old, err := os.ReadFile(sandboxPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("the admin token is rotated, but %s could not be read to rewrite it: %w", sandboxPath, err)
	}
	// The file keeps the URLs it has (those of the server that wrote it),
	// unless --addr or ZFB_ADDR names others.
	base := c.baseURL()
	var prev sandbox.File
	if !addrGiven && json.Unmarshal(old, &prev) == nil {
		if gw, ok := strings.CutSuffix(prev.GatewayURL, "/gateway.do"); ok && gw != "" {
			base = gw
		}
	}
	file, err := sandbox.Load(ctx, svc, base)
	if err == nil {
		err = file.WriteCertificates(filepath.Join(c.data, "certs"))
	}
	if err == nil {
		err = file.WriteFile(sandboxPath)
	}
	if err != nil {
		return fmt.Errorf("the admin token is rotated, but %s could not be rewritten: %w", sandboxPath, err)
	}
	fmt.Fprintf(e.stderr, "zfb: admin token rotated; %s has the new one\n", sandboxPath)
	return nil
}

func (e environment) app(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, "usage: zfb app create|list|show\n")
		return errUsage
	}
	sub := args[0]
	if isHelp(sub) {
		sub, args = "", []string{"", "--help"}
	}
	fs := e.newFlags(strings.TrimSpace("zfb app "+sub), command{
		usage: "zfb app create [--sign-type RSA2|RSA] [--methods m1,m2] [--name N] [--app-public-key FILE] [--cert-mode] [--db URL]\n" +
			"zfb app list [--db URL]\nzfb app show [--db URL] APP_ID",
		about: "Creates, lists and shows merchant apps in the database (create prints the new app's keys)."})
	c := e.flags(fs)
	signType := fs.String("sign-type", "RSA2", "RSA2 (SHA256withRSA) or RSA (SHA1withRSA)")
	methods := fs.String("methods", "", "comma-separated APIs the app may call (default: all)")
	name := fs.String("name", "", "a name for the app")
	publicKeyFile := fs.String("app-public-key", "", "a file holding the app's own public key (default: zfb generates a key pair)")
	certMode := fs.Bool("cert-mode", false, "put the app in public-key-certificate mode (every app gets certificates; this makes it require them)")
	if err := e.parse(fs, args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "create", "list", "show":
	default:
		fmt.Fprintf(e.stderr, "zfb app: unknown command %q\n", args[0])
		return errUsage
	}
	svc, closeStore, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer closeStore()
	switch args[0] {
	case "create":
		st := zfb.SignType(strings.ToUpper(*signType))
		if !st.Valid() {
			return fmt.Errorf("--sign-type must be RSA2 or RSA")
		}
		var list []string
		if *methods != "" {
			list = strings.Split(*methods, ",")
		}
		app, err := sandbox.NewApp("", st, list)
		if err != nil {
			return err
		}
		app.Name = *name
		// New apps name buyers by open_id, as new Alipay apps do (spec
		// isv-and-identity §2.1); the admin API changes it.
		app.IdentityMode = zfb.IdentityOpenID
		if *publicKeyFile != "" {
			pemText, err := os.ReadFile(*publicKeyFile)
			if err != nil {
				return err
			}
			pub, err := sign.ParsePublicKey(string(pemText))
			if err != nil {
				return fmt.Errorf("%s: %w", *publicKeyFile, err)
			}
			app.AppPublicKey, app.AppPrivateKey = sign.PublicKeyPEM(pub), ""
		}
		if err := sandbox.Certify(ctx, svc, app); err != nil {
			return err
		}
		app.CertMode = *certMode
		if err := svc.CreateApp(ctx, app); err != nil {
			return err
		}
		return e.printJSON(sandbox.AppCredentials(app))
	case "list":
		apps, err := svc.Apps(ctx)
		if err != nil {
			return err
		}
		for _, a := range apps {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", a.ID, a.SellerID, a.SignType, a.Name)
		}
		return nil
	case "show":
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: zfb app show APP_ID")
		}
		app, err := svc.App(ctx, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("app %s: %w", fs.Arg(0), err)
		}
		return e.printJSON(struct {
			sandbox.App
			Name    string   `json:"name,omitempty"`
			Methods []string `json:"methods"`
		}{sandbox.AppCredentials(app), app.Name, app.Methods})
	}
	return errUsage // not reached: args[0] was checked above
}

// keys prints a fresh RSA-2048 key pair in the formats the SDKs take.
func (e environment) keys(args []string) error {
	fs := e.newFlags("zfb keys", command{usage: "zfb keys [--bits 2048]",
		about: "Prints a fresh RSA key pair in the forms the SDKs take: PKCS#1 and PKCS#8 PEM, the public PEM, bare Base64."})
	bits := fs.Int("bits", 2048, "key size")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	key, err := sign.GenerateKey(*bits)
	if err != nil {
		return err
	}
	pkcs1 := sign.PrivateKeyPKCS1PEM(key)
	pkcs8 := sign.PrivateKeyPKCS8PEM(key)
	public := sign.PublicKeyPEM(&key.PublicKey)
	return e.printJSON(map[string]string{
		"private_key_pkcs1":      pkcs1, // Node (default keyType), PHP, Python, Go SDKs
		"private_key_pkcs8":      pkcs8, // Java
		"private_key_pkcs1_bare": sign.Bare(pkcs1),
		"private_key_pkcs8_bare": sign.Bare(pkcs8),
		"public_key":             public,
		"public_key_bare":        sign.Bare(public), // what the Alipay console takes
	})
}

func (e environment) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// redactDB hides a database URL's password for logs.
func redactDB(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db
}
