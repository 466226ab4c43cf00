package sign

import (
	"crypto/rsa"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Diagnosing a signature that does not verify: the mistakes integrators
// make are tried one at a time (and each with the other algorithm), and
// the first that reproduces the signature is named. "验签失败" with no hint
// why is the commonest complaint about Alipay; the gateway's answer stays
// Alipay's, and the diagnosis goes to the tester's request log.
//
// Some mistakes never reach the wire: a PKCS#1 key given to an SDK that
// reads PKCS#8 (or the reverse) fails when the SDK loads it, and the
// Alipay public key configured as the app's key fails when the SDK checks
// the answer. The diagnosis says so when nothing reproduces the signature.

// NamedKey is a public key a request may have been signed with by mistake,
// and how a diagnosis names its private half ("the private key of app
// 2021…").
type NamedKey struct {
	Name string
	Key  *rsa.PublicKey
}

// RequestCase is a gateway.do request whose signature failed.
type RequestCase struct {
	// Params are the request's parameters as received: percent-decoded
	// bytes in the request charset, sign included.
	Params map[string]string
	Key    *rsa.PublicKey // the app's
	Alg    Algorithm      // the app's, which sign_type names
	// Charset is the request charset's name; Recode, when set, gives a
	// string of it in OtherCharset's bytes (false when it cannot).
	Charset      string
	OtherCharset string
	Recode       func(string) (string, bool)
	// Others are other keys to try: other apps', the gateway's.
	Others []NamedKey
}

// Diagnosis is what DiagnoseRequest and DiagnoseEnvelope found.
type Diagnosis struct {
	Found bool   // a mistake reproduces the signature
	Text  string // a sentence for the tester, either way
}

// candidate is one way the signer may have built what it signed.
type candidate struct {
	mistake string // "" for the documented string
	content string
}

// signatureFix is one way the sign value may have been mangled on its way.
type signatureFix struct {
	mistake string // "" for the value as received
	value   string
}

// DiagnoseRequest finds which usual mistake reproduces the signature of a
// gateway.do request that failed verification.
func DiagnoseRequest(c RequestCase) Diagnosis {
	sig := c.Params[paramSign]
	if sig == "" {
		return Diagnosis{Text: "The request has no sign parameter."}
	}
	contents := []candidate{{"", RequestContent(c.Params)}}
	contents = append(contents,
		candidate{"it signed the string without sign_type; a request's sign string keeps every parameter but sign, sign_type included (only notifications leave sign_type out)", NotifyContent(c.Params)},
		candidate{"it URL-encoded the values before signing; sign the raw values and URL-encode them only when sending", encodedContent(c.Params, false)},
		candidate{"it URL-encoded the values (spaces as %20) before signing; sign the raw values and URL-encode them only when sending", encodedContent(c.Params, true)},
	)
	if c.Recode != nil {
		if other, ok := c.Recode(RequestContent(c.Params)); ok && other != contents[0].content {
			contents = append(contents, candidate{"it signed the string's " + c.OtherCharset + " bytes while the request says charset=" + c.Charset +
				"; sign the bytes of the charset the request declares, and declare the one you sign in", other})
		}
	}
	contents = append(contents, leftOut(c.Params)...)
	keys := append([]NamedKey{{"", c.Key}}, c.Others...)
	fixes := signatureFixes(sig)
	checked := []string{
		"sign_type left out", "values URL-encoded", "each parameter left out (added after signing)",
		"SHA1 against SHA256 (RSA against RSA2)", strconv.Itoa(len(c.Others)) + " other keys (other apps', Alipay's)",
		"the sign value mangled in transit (+ as space, URL-safe Base64, encoded twice)",
	}
	if c.Recode != nil {
		checked = append(checked, "the string in "+c.OtherCharset)
	}
	if text, ok := findMistake(contents, keys, fixes, c.Alg); ok {
		return Diagnosis{Found: true, Text: text}
	}
	return Diagnosis{Text: noneText(checked, sig, c.Key)}
}

// findMistake tries, for each key (the app's first), each content and sign
// value with the app's algorithm and then the other, and describes the
// first combination that verifies. Only one mistake at a time is tried
// beside the algorithm: the documented content with the right key and
// algorithm and an intact sign value is what failed already.
func findMistake(contents []candidate, keys []NamedKey, fixes []signatureFix, alg Algorithm) (string, bool) {
	algs := []Algorithm{alg, otherAlgorithm(alg)}
	for ki, k := range keys {
		if k.Key == nil {
			continue
		}
		for ci, ct := range contents {
			if ki > 0 && ci > 0 {
				break // another key with the documented content only
			}
			for fi, fx := range fixes {
				if (ki > 0 || ci > 0) && fi > 0 {
					break // a mangled sign value with the documented content only
				}
				for ai, a := range algs {
					if Verify(k.Key, a, []byte(ct.content), fx.value) != nil {
						continue
					}
					var parts []string
					if k.Name != "" {
						parts = append(parts, "it was signed with "+k.Name+", not with the private key of the app the request names; use the private key of the app (app_id or clientId) the request names")
					}
					if ct.mistake != "" {
						parts = append(parts, ct.mistake)
					}
					if fx.mistake != "" {
						parts = append(parts, fx.mistake)
					}
					if ai > 0 {
						parts = append(parts, "it signed with "+algorithmName(a)+" ("+string(a)+") while the app signs with "+algorithmName(alg)+
							" (sign_type "+string(alg)+"); make the signer's algorithm match sign_type")
					}
					return "The signature verifies once the mistake is undone: " + strings.Join(parts, "; and ") + ".", true
				}
			}
		}
	}
	return "", false
}

// noneText says that nothing reproduced the signature, what was tried, and
// what a signature's length tells about the key that made it.
func noneText(checked []string, sig string, key *rsa.PublicKey) string {
	var b strings.Builder
	b.WriteString("None of the usual mistakes reproduces this signature (checked: ")
	b.WriteString(strings.Join(checked, "; "))
	b.WriteString("). ")
	raw, err := base64.StdEncoding.DecodeString(sig)
	switch {
	case isHex(sig) && (key == nil || len(sig) == 2*key.Size()):
		b.WriteString("The sign value looks hexadecimal; Alipay's is standard Base64. ")
	case err != nil:
		b.WriteString("The sign value is not standard Base64. ")
	case key != nil && len(raw) != key.Size():
		b.WriteString("The signature is " + strconv.Itoa(len(raw)*8) + " bits long, the app's key " + strconv.Itoa(key.Size()*8) +
			": it was made with another key. ")
	default:
		b.WriteString("If the string you signed matches the one the gateway shows, the private key that signed does not belong to the app public key configured for this app (a regenerated key pair, or another pair's public key uploaded). ")
	}
	b.WriteString("A PKCS#1 key given to an SDK that wants PKCS#8 (or the reverse) fails when the SDK loads it and never reaches the gateway.")
	return b.String()
}

// encodedContent is the sign string with every value URL-encoded, as a
// signer does that encodes before it signs: with '+' for spaces like
// Java's URLEncoder and url.QueryEscape, or with %20.
func encodedContent(params map[string]string, pathStyle bool) string {
	encoded := make(map[string]string, len(params))
	for k, v := range params {
		if k == paramSign {
			encoded[k] = v
			continue
		}
		e := url.QueryEscape(v)
		if pathStyle {
			e = strings.ReplaceAll(e, "+", "%20")
		}
		encoded[k] = e
	}
	return RequestContent(encoded)
}

// leftOut is the sign string without each parameter in turn: what a
// signer signs that adds a parameter after signing.
func leftOut(params map[string]string) []candidate {
	keys := make([]string, 0, len(params))
	for k, v := range params {
		if k != paramSign && k != paramSignType && k != "" && v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]candidate, 0, len(keys))
	without := make(map[string]string, len(params))
	for _, k := range keys {
		clear(without)
		for k2, v := range params {
			if k2 != k {
				without[k2] = v
			}
		}
		out = append(out, candidate{"it signed without the parameter " + k + ", which was added after signing; set every parameter before signing", RequestContent(without)})
	}
	return out
}

// signatureFixes are the sign value as received and repaired from the
// usual ways it gets mangled in transit.
func signatureFixes(sig string) []signatureFix {
	fixes := []signatureFix{{"", sig}}
	add := func(mistake, value string) {
		if value != sig && value != "" {
			fixes = append(fixes, signatureFix{mistake, value})
		}
	}
	add("the sign value arrived with spaces where its Base64 has '+': it was sent without URL-encoding; URL-encode every value you send",
		strings.ReplaceAll(sig, " ", "+"))
	if strings.ContainsAny(sig, "-_") {
		std := strings.NewReplacer("-", "+", "_", "/").Replace(sig)
		if n := len(std) % 4; n != 0 {
			std += strings.Repeat("=", 4-n)
		}
		add("the sign value is URL-safe Base64 ('-' and '_'); Alipay's is standard Base64", std)
	}
	if strings.Contains(sig, "%") {
		if once, err := url.QueryUnescape(sig); err == nil {
			add("the sign value was URL-encoded twice; encode it once, as every other value", once)
		}
	}
	return fixes
}

func otherAlgorithm(a Algorithm) Algorithm {
	if a == RSA {
		return RSA2
	}
	return RSA
}

func algorithmName(a Algorithm) string {
	if a == RSA {
		return "SHA1withRSA"
	}
	return "SHA256withRSA"
}

func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
