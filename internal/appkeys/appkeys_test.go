package appkeys

import (
	"testing"

	"github.com/zfbpay/zfb/sandbox"
)

func TestRing(t *testing.T) {
	app, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var r Ring
	first, err := r.Get(app)
	if err != nil || first.AppPublic == nil || first.GatewayPrivate == nil {
		t.Fatalf("Get = %+v, %v", first, err)
	}
	if again, _ := r.Get(app); again != first {
		t.Error("the keys were parsed again though the app's keys did not change")
	}
	other, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	app.GatewayPrivateKey = other.GatewayPrivateKey
	changed, err := r.Get(app)
	if err != nil || changed == first || changed.GatewayPrivate.Equal(first.GatewayPrivate) {
		t.Error("a changed key was not parsed again")
	}
	app.AppPublicKey = "not a key"
	if _, err := r.Get(app); err == nil {
		t.Error("a broken key was accepted")
	}
}
