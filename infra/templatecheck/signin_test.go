package templatecheck_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keymint/keymint/internal/cfn"
	"github.com/keymint/keymint/internal/stack"
)

// oidcKeys are the sign-in settings ValidateFunction reads (docs/signin.md).
var oidcKeys = []string{"OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_OWNER_CLAIM", "OIDC_ADMIN_CLAIM", "OIDC_ADMIN_VALUE", "OIDC_SCOPES", "OIDC_ADMIN_SCOPES"}

// loadWith loads the template as deployed with these parameter values; the
// user pool and its client resolve to ids shaped like Cognito's.
func loadWith(t *testing.T, params map[string]string) *stack.Stack {
	t.Helper()
	// Every function is checked: the example API is deployed unless asked.
	params = maps.Clone(params)
	if _, ok := params["DeployExampleApi"]; !ok {
		if params == nil {
			params = map[string]string{}
		}
		params["DeployExampleApi"] = "true"
	}
	st, err := stack.Load(filepath.Join(root(t), "template.yaml"), stack.Resolver{
		Refs: map[string]string{
			"TokenTable": "keymint-tokens", "KeyringSecret": secretArn,
			"KeymintUserPool": "us-east-1_AbCdEfGhI", "KeymintUserPoolClient": "1example23456789",
		},
		Parameters: params,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestManagementStageVariable: KeymintApi's stage marks it as keymint's
// management API, the one API where validate accepts a person's ID token;
// API Gateway passes it as stageVariables.keymint in the authorizer's event.
func TestManagementStageVariable(t *testing.T) {
	api := load(t).APIs["KeymintApi"]
	if want := map[string]string{"keymint": "management"}; !maps.Equal(api.StageVariables, want) {
		t.Errorf("KeymintApi StageVariables %v, want %v", api.StageVariables, want)
	}
}

func TestSignInEnvironment(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   map[string]string // ValidateFunction's OIDC_* variables
	}{
		{"defaults: sign-in off", nil, map[string]string{
			"OIDC_ISSUER": "", "OIDC_AUDIENCE": "", "OIDC_OWNER_CLAIM": "sub", "OIDC_ADMIN_CLAIM": "", "OIDC_ADMIN_VALUE": "",
			"OIDC_SCOPES": "tokens:read tokens:write", "OIDC_ADMIN_SCOPES": "tokens:admin",
		}},
		{"your own provider", map[string]string{
			"OidcIssuer": "https://login.microsoftonline.com/tid/v2.0", "OidcAudience": "app-id", "OidcOwnerClaim": "oid",
			"OidcAdminClaim": "groups", "OidcAdminValue": "group-id", "OidcScopes": "tokens:read", "OidcAdminScopes": "tokens:admin tokens:write",
		}, map[string]string{
			"OIDC_ISSUER": "https://login.microsoftonline.com/tid/v2.0", "OIDC_AUDIENCE": "app-id", "OIDC_OWNER_CLAIM": "oid",
			"OIDC_ADMIN_CLAIM": "groups", "OIDC_ADMIN_VALUE": "group-id", "OIDC_SCOPES": "tokens:read", "OIDC_ADMIN_SCOPES": "tokens:admin tokens:write",
		}},
		// The stack's own user pool wins over the provider parameters.
		{"Cognito", map[string]string{
			"CognitoUserPool": "true", "CognitoDomainPrefix": "keymint-example",
			"OidcIssuer": "https://ignored.example.com", "OidcAudience": "ignored", "OidcAdminClaim": "groups", "OidcAdminValue": "ignored",
		}, map[string]string{
			"OIDC_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI", "OIDC_AUDIENCE": "1example23456789",
			"OIDC_OWNER_CLAIM": "sub", "OIDC_ADMIN_CLAIM": "cognito:groups", "OIDC_ADMIN_VALUE": "keymint-admins",
			"OIDC_SCOPES": "tokens:read tokens:write", "OIDC_ADMIN_SCOPES": "tokens:admin",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := loadWith(t, tc.params)
			for _, id := range functionIDs {
				env := st.Functions[id].Env
				for _, k := range oidcKeys {
					got, ok := env[k]
					// The console signs people in with the same provider,
					// so it gets the issuer and client id, and nothing else.
					console := id == "ConsoleFunction" && (k == "OIDC_ISSUER" || k == "OIDC_AUDIENCE")
					switch {
					case id != "ValidateFunction" && !console && ok:
						t.Errorf("%s sets %s; only ValidateFunction reads ID tokens", id, k)
					case (id == "ValidateFunction" || console) && got != tc.want[k]:
						t.Errorf("%s %s = %q, want %q", id, k, got, tc.want[k])
					}
				}
				// Issuing checks it, so every function carries it.
				if got := env["TOKENS_REQUIRE_ENABLEMENT"]; got != "false" {
					t.Errorf("%s TOKENS_REQUIRE_ENABLEMENT = %q, want false by default", id, got)
				}
			}
		})
	}
	if got := loadWith(t, map[string]string{"TokensRequireEnablement": "true"}).Functions["IssueFunction"].Env["TOKENS_REQUIRE_ENABLEMENT"]; got != "true" {
		t.Errorf("TokensRequireEnablement=true gives %q", got)
	}
}

// rawTemplate is template.yaml as JSON, intrinsics unresolved.
func rawTemplate(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := cfn.ToJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestCognitoUserPool: everything Cognito is made only with
// CognitoUserPool=true, and is what docs/signin.md promises: no self
// sign-up, a public code-flow client, the keymint-admins group validate
// reads from cognito:groups.
func TestCognitoUserPool(t *testing.T) {
	doc := rawTemplate(t)
	res, _ := doc["Resources"].(map[string]any)
	types := map[string]string{}
	for id, v := range res {
		r, _ := v.(map[string]any)
		typ, _ := r["Type"].(string)
		if !strings.HasPrefix(typ, "AWS::Cognito::") {
			continue
		}
		types[typ] = id
		if r["Condition"] != "CreateUserPool" {
			t.Errorf("%s (%s) has Condition %v, want CreateUserPool", id, typ, r["Condition"])
		}
	}
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolGroup"} {
		if types[typ] == "" {
			t.Errorf("no %s", typ)
		}
	}
	props := func(typ string) map[string]any {
		r, _ := res[types[typ]].(map[string]any)
		p, _ := r["Properties"].(map[string]any)
		return p
	}
	pool := props("AWS::Cognito::UserPool")
	if ac, _ := pool["AdminCreateUserConfig"].(map[string]any); ac["AllowAdminCreateUserOnly"] != true {
		t.Error("the user pool allows self sign-up: anyone could sign in and hold OidcScopes")
	}
	if !slices.Equal(strs(pool["UsernameAttributes"]), []string{"email"}) || pool["MfaConfiguration"] != "OPTIONAL" {
		t.Errorf("user pool UsernameAttributes %v, MfaConfiguration %v", pool["UsernameAttributes"], pool["MfaConfiguration"])
	}
	client := props("AWS::Cognito::UserPoolClient")
	checks := []struct {
		what string
		ok   bool
	}{
		{"GenerateSecret false (public client)", client["GenerateSecret"] == false},
		{"AllowedOAuthFlowsUserPoolClient true", client["AllowedOAuthFlowsUserPoolClient"] == true},
		{"AllowedOAuthFlows [code]", slices.Equal(strs(client["AllowedOAuthFlows"]), []string{"code"})},
		{"AllowedOAuthScopes openid email profile", slices.Equal(strs(client["AllowedOAuthScopes"]), []string{"openid", "email", "profile"})},
		{"SupportedIdentityProviders [COGNITO]", slices.Equal(strs(client["SupportedIdentityProviders"]), []string{"COGNITO"})},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("user pool client: want %s", c.what)
		}
	}
	for _, k := range []string{"CallbackURLs", "LogoutURLs"} {
		if ref, _ := client[k].(map[string]any); ref["Ref"] != "CognitoCallbackUrls" {
			t.Errorf("user pool client %s = %v, want !Ref CognitoCallbackUrls", k, client[k])
		}
	}
	if g := props("AWS::Cognito::UserPoolGroup"); g["GroupName"] != "keymint-admins" {
		t.Errorf("admin group %v, want keymint-admins (validate's OIDC_ADMIN_VALUE)", g["GroupName"])
	}
	outputs, _ := doc["Outputs"].(map[string]any)
	for _, name := range []string{"CognitoIssuerUrl", "CognitoUserPoolId", "CognitoClientId", "CognitoHostedUiUrl"} {
		o, _ := outputs[name].(map[string]any)
		if o == nil || o["Condition"] != "CreateUserPool" {
			t.Errorf("output %s missing or not under CreateUserPool: %v", name, o)
		}
	}
	// A deploy with the pool but no hosted UI domain, or an issuer without
	// an audience, is refused before anything is created.
	rules, _ := doc["Rules"].(map[string]any)
	for _, name := range []string{"CognitoNeedsDomainPrefix", "OidcIssuerNeedsAudience", "OidcAdminClaimNeedsValue"} {
		if rules[name] == nil {
			t.Errorf("rule %s missing", name)
		}
	}
}

// TestCognitoOutputs resolves the outputs as CloudFormation would with the
// pool created.
func TestCognitoOutputs(t *testing.T) {
	st := loadWith(t, map[string]string{"CognitoUserPool": "true", "CognitoDomainPrefix": "keymint-example"})
	want := map[string]string{
		"CognitoIssuerUrl":   "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
		"CognitoUserPoolId":  "us-east-1_AbCdEfGhI",
		"CognitoClientId":    "1example23456789",
		"CognitoHostedUiUrl": "https://keymint-example.auth.us-east-1.amazoncognito.com",
	}
	for name, w := range want {
		o, ok := st.Template.Outputs[name]
		if !ok {
			t.Errorf("output %s missing", name)
			continue
		}
		if got, _ := o.Value.(string); got != w {
			t.Errorf("output %s = %v, want %s", name, o.Value, w)
		}
	}
	if got := st.Functions["ValidateFunction"].Env["OIDC_ISSUER"]; got != want["CognitoIssuerUrl"] {
		t.Errorf("OIDC_ISSUER %q differs from the CognitoIssuerUrl output", got)
	}
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
