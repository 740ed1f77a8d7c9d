// Package localport finds free TCP ports on the loopback address for the
// local stack's servers (DynamoDB Local, the OpenID provider) and tests.
package localport

import (
	"fmt"
	"net"
)

// Free returns a port nothing on 127.0.0.1 listens on just now. Another
// process may take it before the caller does; callers that listen on it
// themselves report that as an ordinary listen error.
func Free() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
