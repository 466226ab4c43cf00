package mask

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLogonID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"test.user@example.com", "tes***@example.com"},
		{"ab@x.cn", "a***@x.cn"},
		{"a@x.cn", "a***@x.cn"},
		{"张三丰李四王五", "张****五"},
		{"张三丰李四王五赵六钱七", "张三丰****赵六钱七"},
		{"测试@例子.中国", "测***@例子.中国"},
		{"张三丰@例子.cn", "张三***@例子.cn"},
		{"李四", "李*"},
		{"abc", "a****c"},
		{"x", "x"},
		{"", ""},
		// Masked already: left alone.
		{"138****5678", "138****5678"},
		{"a***@example.com", "a***@example.com"},
	} {
		got := LogonID(tc.in)
		if got != tc.want {
			t.Errorf("LogonID(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("LogonID(%q) = %q is not valid UTF-8", tc.in, got)
		}
	}
}

func FuzzLogonID(f *testing.F) {
	for _, s := range []string{"13812345678", "张三丰李四王五", "a@b", "@", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := LogonID(id)
		if utf8.ValidString(id) && !utf8.ValidString(got) {
			t.Fatalf("LogonID(%q) = %q: not valid UTF-8", id, got)
		}
		if utf8.RuneCountInString(id) >= 2 && !strings.Contains(id, "*") && got == id {
			t.Fatalf("LogonID(%q) hid nothing", id)
		}
	})
}
