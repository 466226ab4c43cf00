package sign

import (
	"crypto/rsa"
	"errors"
	"slices"
	"strings"
)

// Parameter names with a role in the sign strings.
const (
	paramSign     = "sign"
	paramSignType = "sign_type"
)

// RequestContent returns the sign string of a gateway request (spec §1.4):
// every parameter but "sign" ("sign_type" IS included), without those whose
// key or value is empty, sorted by key in ascending byte order, as "k=v"
// pairs joined by "&". params are the merged query and body parameters;
// their values are used raw, exactly as percent-decoded (bytes in the
// request charset, neither transcoded nor re-encoded).
func RequestContent(params map[string]string) string {
	return content(params, false, false)
}

// RequestContentWithEmpty is RequestContent keeping the parameters whose
// value is empty, as the Node SDK signs them (app_auth_token= and the like).
func RequestContentWithEmpty(params map[string]string) string {
	return content(params, true, false)
}

// NotifyContent returns the sign string of an asynchronous notification
// (spec §5.1, the Java SDK's rsaCheckV1): like RequestContent but without
// "sign_type" either.
func NotifyContent(params map[string]string) string {
	return content(params, false, true)
}

// content builds a sign string. Empty keys are always dropped, as the Java
// SDK does (StringUtils.areNotEmpty(key, value)).
func content(params map[string]string, keepEmpty, dropSignType bool) string {
	keys := make([]string, 0, len(params))
	size := 0
	for k, v := range params {
		if k == "" || k == paramSign || (dropSignType && k == paramSignType) || (v == "" && !keepEmpty) {
			continue
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 2 // '=' and the '&' before the next pair
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys) // Go compares strings byte by byte
	var b strings.Builder
	b.Grow(size - 1)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	return b.String()
}

// VerifyRequest checks params["sign"] against the sign string of the request
// (RequestContent) with key and alg. If that fails and some parameter has an
// empty value, it retries over RequestContentWithEmpty, which is what the
// Node SDK signs. Either way it returns the documented sign string
// (RequestContent), which the gateway echoes in the sub_msg of
// isv.invalid-signature. A missing sign gives ErrMissingSign; a sign that
// does not verify gives an error wrapping ErrVerification.
func VerifyRequest(key *rsa.PublicKey, alg Algorithm, params map[string]string) (content string, err error) {
	content = RequestContent(params)
	sig := params[paramSign]
	err = Verify(key, alg, []byte(content), sig)
	if err == nil || sig == "" || !errors.Is(err, ErrVerification) || !hasEmptyValue(params) {
		return content, err
	}
	if Verify(key, alg, []byte(RequestContentWithEmpty(params)), sig) == nil {
		return content, nil
	}
	return content, err
}

// hasEmptyValue reports whether RequestContentWithEmpty(params) differs from
// RequestContent(params).
func hasEmptyValue(params map[string]string) bool {
	for k, v := range params {
		if v == "" && k != "" && k != paramSign {
			return true
		}
	}
	return false
}

// SignRequest signs the request parameters with key and alg and stores the
// signature in params["sign"]. It signs RequestContent(params), so
// "sign_type" (and every other parameter) must already be set, and any
// previous "sign" is ignored and replaced.
func SignRequest(key *rsa.PrivateKey, alg Algorithm, params map[string]string) error {
	if params == nil {
		return errors.New("sign: nil parameter map")
	}
	sig, err := Sign(key, alg, []byte(RequestContent(params)))
	if err != nil {
		return err
	}
	params[paramSign] = sig
	return nil
}
