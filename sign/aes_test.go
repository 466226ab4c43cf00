package sign

import (
	"bytes"
	"crypto/aes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAESKnownAnswers(t *testing.T) {
	tests := []struct {
		name, key, plaintext, ciphertext string
	}{
		// The encrypted alipay.open.auth.app.aes.set response of the Node SDK's
		// test suite (alipay-sdk-nodejs-all test/alipay.exec.test.ts, with
		// encryptKey aYA0GP8JEW+D7/UFaskCWA==).
		{"Node SDK response", "aYA0GP8JEW+D7/UFaskCWA==",
			`{"code":"10000","msg":"Success","aes_key":"cW8mcZgoMGUVp5g7uv7bHw=="}`,
			"4AOYHE0rpPnRnghunsGo+mY02DzANFLwNJJCiHfrNh2oaB2pn33PwOEOvH8mjhkE3Wh/jR+3jHM9nvoFvOsY/SqZbZzamRg9Eh3VkRqOhSM="},
		// openssl enc -aes-128-cbc -K <key hex> -iv 00000000000000000000000000000000 | base64
		{"OpenSSL biz_content", "cW8mcZgoMGUVp5g7uv7bHw==",
			`{"out_trade_no":"20150320010101001","total_amount":"88.88","subject":"Iphone6 16G"}`,
			"1cu7W521hfptZWFmtpGE3Wy+0nL951rlMZodGP/nVDr46Qz3+GbOZ+Q9ciIoEW+a23J6Pn5mrnXTVkxpThkFQtPEfsIr0wzYALtoA3Impj6jscK0O1fWAsrebKtC6doP"},
		{"OpenSSL empty plaintext", "cW8mcZgoMGUVp5g7uv7bHw==", "", "zRa5qqNL/xRfETswpsgJbQ=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := mustB64(t, tt.key)
			got, err := DecryptAES(key, tt.ciphertext)
			if err != nil || string(got) != tt.plaintext {
				t.Fatalf("DecryptAES = %q, %v", got, err)
			}
			enc, err := EncryptAES(key, []byte(tt.plaintext))
			if err != nil || enc != tt.ciphertext {
				t.Fatalf("EncryptAES = %q, %v\nwant %q", enc, err, tt.ciphertext)
			}
		})
	}
}

func TestAESRoundTrip(t *testing.T) {
	for _, size := range []int{16, 24, 32} {
		key := bytes.Repeat([]byte{byte(size)}, size)
		for n := 0; n <= 2*aes.BlockSize+1; n++ {
			plain := bytes.Repeat([]byte("测"), n)[:n] // arbitrary bytes, not valid UTF-8 at the cut
			enc, err := EncryptAES(key, plain)
			if err != nil {
				t.Fatal(err)
			}
			if raw := mustB64(t, enc); len(raw) != (n/aes.BlockSize+1)*aes.BlockSize {
				t.Fatalf("AES-%d, %d bytes: ciphertext of %d bytes", size*8, n, len(raw))
			}
			got, err := DecryptAES(key, enc)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("AES-%d, %d bytes: %q, %v", size*8, n, got, err)
			}
		}
	}
}

func TestAESErrors(t *testing.T) {
	key := mustB64(t, "cW8mcZgoMGUVp5g7uv7bHw==")
	good, _ := EncryptAES(key, []byte("hello"))
	raw := mustB64(t, good)
	// Flipping a bit of the last ciphertext block garbles the whole last
	// plaintext block, padding included.
	badPad := append([]byte(nil), raw...)
	badPad[len(badPad)-1] ^= 0x80
	tests := []struct {
		name, in string
		key      []byte
		want     string
		decrypt  bool // wraps ErrDecryption
	}{
		{"key of 15 bytes", good, key[:15], "AES key", false},
		{"empty key", good, nil, "AES key", false},
		{"not Base64", "%%%", key, "not standard Base64", true},
		{"empty ciphertext", "", key, "not a whole number of blocks", true},
		{"partial block", base64.StdEncoding.EncodeToString(raw[:15]), key, "not a whole number of blocks", true},
		{"bad padding", base64.StdEncoding.EncodeToString(badPad), key, "bad padding", true},
		{"wrong key", good, bytes.Repeat([]byte{1}, 16), "bad padding", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecryptAES(tt.key, tt.in)
			if err == nil {
				t.Fatalf("DecryptAES = %q, want an error", got)
			}
			if errors.Is(err, ErrDecryption) != tt.decrypt || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecryptAES error %v", err)
			}
		})
	}
	if _, err := EncryptAES(key[:5], []byte("x")); err == nil {
		t.Error("EncryptAES with a 5-byte key succeeded")
	}
}

// TestAESPaddingStrict encrypts, with the raw block cipher, blocks whose
// padding is wrong in each way and checks that all are refused.
func TestAESPaddingStrict(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	block, _ := aes.NewCipher(key)
	encryptBlock := func(plain []byte) string { // CBC with a zero IV, one block
		out := make([]byte, aes.BlockSize)
		block.Encrypt(out, plain)
		return base64.StdEncoding.EncodeToString(out)
	}
	valid := append(bytes.Repeat([]byte("a"), 13), 3, 3, 3)
	if got, err := DecryptAES(key, encryptBlock(valid)); err != nil || string(got) != "aaaaaaaaaaaaa" {
		t.Fatalf("valid padding: %q, %v", got, err)
	}
	full := bytes.Repeat([]byte{16}, 16)
	if got, err := DecryptAES(key, encryptBlock(full)); err != nil || len(got) != 0 {
		t.Fatalf("full padding block: %q, %v", got, err)
	}
	for name, plain := range map[string][]byte{
		"zero":         append(bytes.Repeat([]byte("a"), 15), 0),
		"17":           append(bytes.Repeat([]byte("a"), 15), 17),
		"0xff":         append(bytes.Repeat([]byte("a"), 15), 0xff),
		"inconsistent": append(bytes.Repeat([]byte("a"), 13), 2, 3, 3),
		"short run":    append(bytes.Repeat([]byte("a"), 14), 1, 3),
	} {
		if got, err := DecryptAES(key, encryptBlock(plain)); !errors.Is(err, ErrDecryption) {
			t.Errorf("padding %s: %q, %v", name, got, err)
		}
	}
}
