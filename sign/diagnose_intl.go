package sign

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"strconv"
)

// EnvelopeCase is an intl request whose signature failed.
type EnvelopeCase struct {
	Body     []byte          // the whole request body, as received
	Envelope *SignedEnvelope // what ExtractEnvelope found in it
	Path     string          // the request's path
	ClientID string          // head.clientId
	ReqTime  string          // head.reqTime
	Key      *rsa.PublicKey  // the app's
	Alg      Algorithm       // the algorithm head.signType names (RSA2 when absent)
	Others   []NamedKey
}

// DiagnoseEnvelope finds which usual mistake reproduces the signature of an
// intl request that failed verification: the envelope {"request":…} signed
// instead of the request value, the value signed before it was re-formatted, the AMS
// (Antom) sign string "POST <path>\n<clientId>.<reqTime>.<body>", the
// other algorithm, another key, a mangled signature.
func DiagnoseEnvelope(c EnvelopeCase) Diagnosis {
	if c.Envelope == nil || c.Envelope.Signature == "" {
		return Diagnosis{Text: "The request has no signature."}
	}
	value := c.Envelope.Value
	contents := []candidate{
		{"", string(value)},
		{"it signed the envelope {\"request\":…} instead of the exact text of the \"request\" value", `{"request":` + string(value) + `}`},
	}
	var compact bytes.Buffer
	if json.Compact(&compact, value) == nil && !bytes.Equal(compact.Bytes(), value) {
		contents = append(contents, candidate{"it signed the request value before it was re-formatted (the compact JSON); sign exactly the text you send", compact.String()})
	}
	var reencoded bytes.Buffer
	var v any
	if json.Unmarshal(value, &v) == nil {
		enc := json.NewEncoder(&reencoded)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			s := bytes.TrimSuffix(reencoded.Bytes(), []byte("\n"))
			if !bytes.Equal(s, value) && !bytes.Equal(s, compact.Bytes()) {
				contents = append(contents, candidate{"it signed a re-serialization of the request value (keys in another order); sign exactly the text you send", string(s)})
			}
		}
	}
	ams := "POST " + c.Path + "\n" + c.ClientID + "." + c.ReqTime + "."
	contents = append(contents,
		candidate{"it built the sign string as the AMS (Antom) API does, \"POST <path>\\n<clientId>.<reqTime>.<body>\"; this dialect signs the exact text of the \"request\" value", ams + string(c.Body)},
		candidate{"it built the sign string as the AMS (Antom) API does, \"POST <path>\\n<clientId>.<reqTime>.<request value>\"; this dialect signs the exact text of the \"request\" value alone", ams + string(value)},
	)
	keys := append([]NamedKey{{"", c.Key}}, c.Others...)
	fixes := signatureFixes(c.Envelope.Signature)
	checked := []string{
		"the envelope signed", "the value re-formatted or re-serialized", "the AMS sign string",
		"SHA1 against SHA256 (RSA against RSA2)", strconv.Itoa(len(c.Others)) + " other keys (other apps', Alipay's)",
		"the signature mangled (+ as space, URL-safe Base64, URL-encoded)",
	}
	if text, ok := findMistake(contents, keys, fixes, c.Alg); ok {
		return Diagnosis{Found: true, Text: text}
	}
	return Diagnosis{Text: noneText(checked, c.Envelope.Signature, c.Key)}
}
