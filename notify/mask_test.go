package notify

import "testing"

func TestMaskLogonID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"test@example.com", "tes***@example.com"},
		{"ab@example.com", "a***@example.com"},
		{"a@example.com", "a***@example.com"},
		{"张三丰@例子.cn", "张三***@例子.cn"},
		{"张三丰李四王五赵六钱七", "张三丰****赵六钱七"},
		{"abc", "a****c"},
		{"ab", "a*"},
		{"a", "a"},
		{"", ""},
		// Masked already: left alone.
		{"138****5678", "138****5678"},
		{"a***@example.com", "a***@example.com"},
	} {
		if got := maskLogonID(tc.in); got != tc.want {
			t.Errorf("maskLogonID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
