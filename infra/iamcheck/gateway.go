package iamcheck

import (
	"net/http"
	"strings"
)

// Gateway records the IAM action of each call to API Gateway's control
// plane, which authorises an HTTP verb on a resource path
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-create-and-manage-api.html),
// and passes the call on to Inner (internal/localgw).
type Gateway struct {
	Inner http.Handler
	Rec   *Recorder
}

func (g Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.Rec.Add("apigateway:"+r.Method, APIGateway+ResourcePath(r.URL.Path))
	g.Inner.ServeHTTP(w, r)
}

// ResourcePath is a control-plane path with its ids as *: collections
// (apikeys, usageplans, keys) stay, the segment after each is an id.
func ResourcePath(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i := 1; i < len(segs); i += 2 {
		segs[i] = "*"
	}
	return "/" + strings.Join(segs, "/")
}
