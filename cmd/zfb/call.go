package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// call runs `zfb call METHOD --biz '{…}'`: one gateway.do call through the
// Go SDK, signed as the sandbox's first app (or --app-id, or the keys
// given), whose answer is verified before it is printed.
func (e environment) call(ctx context.Context, args []string) error {
	fs := e.newFlags("zfb call", command{
		usage: "zfb call METHOD [--biz '{…}'] [--app-id ID] [--private-key FILE --alipay-public-key FILE --gateway URL]",
		about: "Calls gateway.do through the Go SDK and prints the verified answer (the response node, as JSON).\n" +
			"It signs as the first app of sandbox.json unless --app-id names another app of it, or the keys and the\n" +
			"gateway are given. An error answer is printed too, and the exit status is 1, as it is when the\n" +
			"answer's signature does not verify.\n\n" +
			"  zfb call alipay.trade.query --biz '{\"out_trade_no\":\"T1\"}'",
	})
	s := e.sandboxFlags(fs)
	biz := fs.String("biz", "", "the biz_content, a JSON object")
	appID := fs.String("app-id", "", "the app to sign as (default: the first app of sandbox.json)")
	privateKeyFile := fs.String("private-key", "", "a `FILE` holding the app's private key (default: from sandbox.json)")
	alipayKeyFile := fs.String("alipay-public-key", "", "a `FILE` holding the gateway's public key for the app (default: from sandbox.json)")
	gateway := fs.String("gateway", "", "the gateway `URL` (default: gateway_url of sandbox.json)")
	appAuthToken := fs.String("app-auth-token", "", "call for the merchant that gave this token to a third-party app")
	notifyURL := fs.String("notify-url", "", "the notify_url of the call")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.usageError(fs, "give the method, e.g. alipay.trade.query")
	}
	method := fs.Arg(0)
	var bizContent any
	if *biz != "" {
		if !json.Valid([]byte(*biz)) {
			return fmt.Errorf("--biz is not valid JSON: %s", *biz)
		}
		bizContent = json.RawMessage(*biz)
	}

	var app sandbox.App
	var file *sandbox.File
	if *privateKeyFile == "" || *alipayKeyFile == "" || *gateway == "" {
		var err error
		if file, err = s.load(); err != nil {
			return err
		}
		if app, err = sandboxApp(file, *appID, *privateKeyFile != ""); err != nil {
			return err
		}
	}
	opts := []alipay.Option{}
	if *gateway != "" {
		opts = append(opts, alipay.WithGateway(*gateway))
	} else {
		opts = append(opts, alipay.WithGateway(file.GatewayURL))
	}
	if app.SignType == string(sign.RSA) {
		opts = append(opts, alipay.WithSignType(sign.RSA))
	}
	privateKey, alipayKey := app.AppPrivateKey, app.AlipayPublicKey
	if *privateKeyFile != "" {
		raw, err := os.ReadFile(*privateKeyFile)
		if err != nil {
			return err
		}
		privateKey = string(raw)
	}
	if *alipayKeyFile != "" {
		raw, err := os.ReadFile(*alipayKeyFile)
		if err != nil {
			return err
		}
		alipayKey = string(raw)
	} else if app.KeyMode == sandbox.KeyModeCert {
		opts = append(opts, alipay.WithCertificates(app.AppCert, app.AlipayCert, app.AlipayRootCert))
	}
	id := *appID
	if id == "" {
		id = app.AppID
	}
	if id == "" {
		return e.usageError(fs, "--app-id is needed with --private-key, --alipay-public-key and --gateway")
	}
	sdk, err := alipay.New(id, privateKey, alipayKey, opts...)
	if err != nil {
		return err
	}
	var answer json.RawMessage
	err = sdk.Do(ctx, alipay.Request{Method: method, BizContent: bizContent, AppAuthToken: *appAuthToken, NotifyURL: *notifyURL}, &answer)
	var apiErr *alipay.Error
	if errors.As(err, &apiErr) {
		answer = apiErr.Body // a verified (or unsigned) error answer: show it
	} else if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, answer, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(answer)
	}
	pretty.WriteByte('\n')
	if _, werr := e.stdout.Write(pretty.Bytes()); werr != nil {
		return werr
	}
	if apiErr != nil {
		return fmt.Errorf("%s answered code %s (%s), sub_code %s (%s)", method, apiErr.Code, apiErr.Msg, orDash(apiErr.SubCode), orDash(apiErr.SubMsg))
	}
	return nil
}

// sandboxApp is the app of sandbox.json to sign as: id, or the first.
// With keysGiven, an id that sandbox.json does not have is no error.
func sandboxApp(file *sandbox.File, id string, keysGiven bool) (sandbox.App, error) {
	if id == "" {
		if len(file.Apps) == 0 {
			return sandbox.App{}, errors.New("sandbox.json has no apps")
		}
		return file.Apps[0], nil
	}
	for _, a := range file.Apps {
		if a.AppID == id {
			return a, nil
		}
	}
	if keysGiven {
		return sandbox.App{}, nil
	}
	return sandbox.App{}, fmt.Errorf("app %s is not in sandbox.json; give its keys with --private-key and --alipay-public-key", id)
}
