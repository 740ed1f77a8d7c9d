package oidc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckNode(t *testing.T) {
	tests := []struct {
		name   string
		script string // "" means no node on PATH
		ok     bool
	}{
		{"missing", "", false},
		{"node 18", "echo v18.19.1", false},
		{"broken", "exit 1", false},
		{"garbage", "echo hello", false},
		{"node 20", "echo v20.20.2", true},
		{"node 22", "echo v22.12.0", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.script != "" {
				if err := os.WriteFile(filepath.Join(bin, "node"), []byte("#!/bin/sh\n"+tc.script+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", bin)
			_, err := CheckNode(context.Background())
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNodeMissing)) {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
