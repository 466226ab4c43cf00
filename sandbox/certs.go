package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/sandboxca"
	"github.com/zfbpay/zfb/sign"
)

// CertAppID is the sandbox's app in public-key-certificate mode
// (公钥证书模式). Fixed, like FirstAppID, so that instances starting together
// on one database agree.
const CertAppID = "9021000000000002"

// Key modes of sandbox.json's key_mode.
const (
	KeyModePublicKey = "public_key"
	KeyModeCert      = "cert"
)

// File names the SDKs' documentation uses for the three certificates.
const (
	alipayCertFile = "alipayCertPublicKey_RSA2.crt"
	rootCertFile   = "alipayRootCert.crt"
)

// AppCertificates is what an app needs for certificate mode: the three
// certificates inline (PEM) and their SNs, as every SDK computes them, and,
// once WriteCertificates has written them, the paths of the files the SDKs
// load (Node: appCertPath, alipayPublicCertPath, alipayRootCertPath).
// Every app zfb makes has certificates, so that it can be switched to
// certificate mode; key_mode says which mode it is in.
type AppCertificates struct {
	KeyMode            string `json:"key_mode"`
	AppCert            string `json:"app_cert,omitempty"`
	AlipayCert         string `json:"alipay_cert,omitempty"`
	AlipayRootCert     string `json:"alipay_root_cert,omitempty"`
	AppCertSN          string `json:"app_cert_sn,omitempty"`
	AlipayCertSN       string `json:"alipay_cert_sn,omitempty"`
	AlipayRootCertSN   string `json:"alipay_root_cert_sn,omitempty"`
	AppCertPath        string `json:"app_cert_path,omitempty"`
	AlipayCertPath     string `json:"alipay_cert_path,omitempty"`
	AlipayRootCertPath string `json:"alipay_root_cert_path,omitempty"`
}

// appCertificates is a's certificates for sandbox.json; an app without
// (usable) certificates shows only its key mode.
func appCertificates(a *zfb.App) AppCertificates {
	c := AppCertificates{KeyMode: KeyModePublicKey}
	if a.CertMode {
		c.KeyMode = KeyModeCert
	}
	if a.AppCertificate == "" || a.GatewayCertificate == "" || a.RootCertificate == "" {
		return c
	}
	_, appSN, err1 := sign.CertPublicKey(a.AppCertificate)
	_, alipaySN, err2 := sign.CertPublicKey(a.GatewayCertificate)
	rootSN, err3 := sign.RootCertSN(a.RootCertificate)
	if err := errors.Join(err1, err2, err3); err != nil {
		return c
	}
	c.AppCert, c.AlipayCert, c.AlipayRootCert = a.AppCertificate, a.GatewayCertificate, a.RootCertificate
	c.AppCertSN, c.AlipayCertSN, c.AlipayRootCertSN = appSN, alipaySN, rootSN
	return c
}

// Certify gives app certificates from the instance's CA (made on first
// need). It does not put the app in certificate mode.
func Certify(ctx context.Context, svc *zfb.Service, app *zfb.App) error {
	ca, err := sandboxca.Load(ctx, svc)
	if err != nil {
		return fmt.Errorf("the sandbox CA: %w", err)
	}
	return ca.Issue(app)
}

// WriteCertificates writes each app's certificates to dir/<app_id>/ —
// appCertPublicKey_<app_id>.crt, alipayCertPublicKey_RSA2.crt and
// alipayRootCert.crt, readable by their owner only like sandbox.json — and
// records the absolute paths in f.
func (f *File) WriteCertificates(dir string) error {
	for i := range f.Apps {
		appDir, files, err := certFiles(dir, &f.Apps[i])
		if err != nil || files == nil {
			return err
		}
		if err := os.MkdirAll(appDir, 0o700); err != nil {
			return err
		}
		for _, file := range files {
			if err := writePrivate(file.path, []byte(file.text)); err != nil {
				return err
			}
			*file.field = file.path
		}
	}
	return nil
}

// FindCertificates records in f the paths of the certificate files that
// WriteCertificates wrote to dir, where they still hold the apps'
// certificates; it writes nothing.
func (f *File) FindCertificates(dir string) {
	for i := range f.Apps {
		_, files, err := certFiles(dir, &f.Apps[i])
		if err != nil {
			continue
		}
		for _, file := range files {
			if b, err := os.ReadFile(file.path); err == nil && string(b) == file.text {
				*file.field = file.path
			}
		}
	}
}

type certFile struct {
	path, text string
	field      *string // where sandbox.json records path
}

// certFiles lists a's certificate files under dir; none when a has no
// certificates.
func certFiles(dir string, a *App) (string, []certFile, error) {
	if a.AppCert == "" {
		return "", nil, nil
	}
	appDir, err := filepath.Abs(filepath.Join(dir, a.AppID))
	if err != nil {
		return "", nil, err
	}
	return appDir, []certFile{
		{filepath.Join(appDir, "appCertPublicKey_"+a.AppID+".crt"), a.AppCert, &a.AppCertPath},
		{filepath.Join(appDir, alipayCertFile), a.AlipayCert, &a.AlipayCertPath},
		{filepath.Join(appDir, rootCertFile), a.AlipayRootCert, &a.AlipayRootCertPath},
	}, nil
}

// writePrivate writes data to path atomically, readable by its owner only.
func writePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// existingCA is the database's CA, or nil when it has none yet.
func existingCA(ctx context.Context, svc *zfb.Service) (*sandboxca.CA, error) {
	text, err := svc.Setting(ctx, zfb.SettingSandboxCA)
	if errors.Is(err, zfb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return sandboxca.Parse(text)
}
