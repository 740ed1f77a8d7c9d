package localport

import (
	"net"
	"strconv"
	"testing"
)

// The port is free: something can listen on it at once.
func TestFreeIsListenable(t *testing.T) {
	t.Parallel()
	port, err := Free()
	if err != nil {
		t.Fatal(err)
	}
	if port <= 0 || port > 65535 {
		t.Fatalf("port %d", port)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d is not free: %v", port, err)
	}
	l.Close()
}
