package sign

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
)

// ErrDecryption reports AES ciphertext that is not Base64, not a whole
// number of blocks, or whose padding is wrong (spec §1.6: the gateway's
// isv.decryption-error-*). A key of the wrong size is a different error.
var ErrDecryption = errors.New("sign: AES decryption failed")

// EncryptAES encrypts plaintext (bytes in the request charset) for
// encrypt_type=AES: AES-CBC with a zero IV and PKCS#7 padding, returned in
// standard padded Base64. key is the raw 16, 24 or 32 bytes; the caller
// Base64-decodes the key the Alipay console shows.
func EncryptAES(key []byte, plaintext []byte) (string, error) {
	mode, err := newCBC(key, cipher.NewCBCEncrypter)
	if err != nil {
		return "", err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	buf := make([]byte, len(plaintext)+pad)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	mode.CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// DecryptAES reverses EncryptAES: it decodes the standard Base64 b64 and
// decrypts it with AES-CBC, zero IV, removing PKCS#7 padding, which must be
// exactly right. Errors about the ciphertext wrap ErrDecryption. CBC without
// a MAC is malleable: decrypt only content whose signature was verified.
func DecryptAES(key []byte, b64 string) ([]byte, error) {
	mode, err := newCBC(key, cipher.NewCBCDecrypter)
	if err != nil {
		return nil, err
	}
	buf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not standard Base64: %v", ErrDecryption, err)
	}
	if len(buf) == 0 || len(buf)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes is not a whole number of blocks", ErrDecryption, len(buf))
	}
	mode.CryptBlocks(buf, buf)
	pad := int(buf[len(buf)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, fmt.Errorf("%w: bad padding", ErrDecryption)
	}
	for _, c := range buf[len(buf)-pad:] {
		if int(c) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrDecryption)
		}
	}
	return buf[:len(buf)-pad], nil
}

// newCBC makes a CBC encrypter or decrypter with key and a zero IV.
func newCBC(key []byte, mode func(cipher.Block, []byte) cipher.BlockMode) (cipher.BlockMode, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sign: AES key: %w", err)
	}
	return mode(block, make([]byte, aes.BlockSize)), nil
}
