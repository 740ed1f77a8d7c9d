package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/keymint/keymint/internal/localgw"
	"github.com/keymint/keymint/internal/stack"
)

// gatewayFile is where the local control plane keeps its API keys between
// runs (LOCAL_DIR/apigateway.json): owner items in DynamoDB Local name
// them, as they would name keys API Gateway keeps.
const gatewayFile = "apigateway.json"

// startGateway serves the stand-in for API Gateway's control plane
// (internal/localgw): the owners' API keys IssueFunction and RevokeFunction
// put in the template's usage plans (APIGATEWAY_ENDPOINT), and what the
// REST APIs' usage plans ask of them. stop ends it.
func startGateway(st *stack.Stack, s settings) (gw *localgw.Server, url string, stop func(), err error) {
	gw = localgw.New(localgw.Stages(st), nil)
	if err := gw.Keep(filepath.Join(s.localDir, gatewayFile)); err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, fmt.Errorf("API Gateway stand-in: %w", err)
	}
	hs := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return gw, "http://" + ln.Addr().String(), func() { _ = hs.Close() }, nil
}
