package ddblocal

import (
	"os/exec"
	"testing"
)

func TestParseJavaMajor(t *testing.T) {
	tests := []struct {
		out    string
		want   int
		wantOK bool
	}{
		{`openjdk version "17.0.15" 2025-04-15`, 17, true},
		{`openjdk version "21" 2023-09-19`, 21, true},
		{`java version "1.8.0_392"`, 8, true},
		{`openjdk version "11.0.2" 2019-01-15`, 11, true},
		{`no version here`, 0, false},
	}
	for _, tc := range tests {
		got, ok := parseJavaMajor(tc.out)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseJavaMajor(%q) = %d, %v; want %d, %v", tc.out, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name    string
		cmd     *exec.Cmd
		want    int
		wantErr bool
	}{
		{"success", exec.Command("sh", "-c", "exit 0"), 0, false},
		{"failure", exec.Command("sh", "-c", "exit 7"), 7, false},
		{"killed by a signal", exec.Command("sh", "-c", "kill -TERM $$"), 1, false},
		{"not found", exec.Command("/nonexistent/keymint-command"), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exitStatus(tc.cmd.Run())
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("got %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
