package sqlstore

import (
	"encoding/json"
	"maps"
	"testing"
)

// TestParamsJSON: the params column reads back as the cleaned parameters,
// whatever they hold.
func TestParamsJSON(t *testing.T) {
	params := map[string]string{
		"biz_content": `{"subject":"<b>&商品</b>","x":"\u2028"}`, "nul": "a\x00b", "gbk": "\xb2\xe2\xca\xd4",
		"": "empty name", "quote\"": "back\\slash\n",
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(paramsJSON(params)), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for k, v := range params {
		want[clean(k)] = clean(v)
	}
	if !maps.Equal(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
	if got := paramsJSON(nil); got != "{}" {
		t.Errorf("no parameters: %s", got)
	}
	var refs []string
	if err := json.Unmarshal([]byte(stringsJSON([]string{"T1", `"q"`})), &refs); err != nil || len(refs) != 2 || refs[1] != `"q"` {
		t.Errorf("refs %q, %v", refs, err)
	}
}
