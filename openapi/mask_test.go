package openapi

import (
	"testing"
	"unicode/utf8"
)

func TestMaskLogonID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"test.user@example.com", "tes***@example.com"},
		{"ab@x.cn", "a***@x.cn"},
		{"a@x.cn", "a***@x.cn"},
		{"张三丰李四王五", "张****五"},
		{"张三丰李四王五赵六钱七", "张三丰****赵六钱七"},
		{"测试@例子.中国", "测***@例子.中国"},
		{"李四", "李*"},
		{"x", "x"},
		{"", ""},
	}
	for _, tc := range tests {
		got := maskLogonID(tc.in)
		if got != tc.want {
			t.Errorf("maskLogonID(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("maskLogonID(%q) = %q is not valid UTF-8", tc.in, got)
		}
	}
}

func FuzzMaskLogonID(f *testing.F) {
	for _, s := range []string{"13812345678", "张三丰李四王五", "a@b", "@", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := maskLogonID(id)
		if utf8.ValidString(id) && !utf8.ValidString(got) {
			t.Fatalf("maskLogonID(%q) = %q: not valid UTF-8", id, got)
		}
		if utf8.RuneCountInString(id) >= 2 && got == id {
			t.Fatalf("maskLogonID(%q) hid nothing", id)
		}
	})
}
