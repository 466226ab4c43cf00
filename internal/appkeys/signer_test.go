package appkeys

import (
	"testing"

	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

// TestRingSigner checks that the Ring's GatewaySigner signs as the gateway
// private key does, and follows a changed key.
func TestRingSigner(t *testing.T) {
	app, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var r Ring
	keys, err := r.Get(app)
	if err != nil || keys.GatewaySigner == nil {
		t.Fatalf("Get = %+v, %v", keys, err)
	}
	content := []byte(`{"code":"10000","msg":"Success"}`)
	for _, alg := range []sign.Algorithm{sign.RSA, sign.RSA2} {
		want, _ := sign.Sign(keys.GatewayPrivate, alg, content)
		if got, err := keys.GatewaySigner.Sign(alg, content); err != nil || got != want {
			t.Fatalf("%s GatewaySigner %s = %q, %v\nwant %q", sign.SignerName, alg, got, err, want)
		}
	}
	other, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	app.GatewayPrivateKey = other.GatewayPrivateKey
	changed, err := r.Get(app)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := changed.GatewaySigner.Sign(sign.RSA2, content)
	if err := sign.Verify(&changed.GatewayPrivate.PublicKey, sign.RSA2, content, got); err != nil {
		t.Errorf("the signer of a changed key does not sign with it: %v", err)
	}
}
