package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// code reads the authorization answer from the redirect's Location.
func (f *flow) code(resp *http.Response) (string, error) {
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("oidc: %w", err)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("oidc: the provider refused the authorization: %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != f.state {
		return "", errors.New("oidc: the authorization answer carries another state")
	}
	// RFC 9207: the answer names who sent it, when the provider says so.
	if iss := q.Get("iss"); iss != "" && iss != f.issuer {
		return "", fmt.Errorf("oidc: the authorization answer comes from %q, not %q", iss, f.issuer)
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("oidc: the authorization answer carries no code")
	}
	return code, nil
}

// exchange redeems the code with the PKCE verifier and checks the ID token.
func (f *flow) exchange(ctx context.Context, endpoint, code string) (string, error) {
	resp, err := f.send(ctx, http.MethodPost, endpoint, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {f.redirect},
		"client_id":     {f.clientID},
		"code_verifier": {f.verifier},
	})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var answer struct {
		IDToken     string `json:"id_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&answer); err != nil {
		return "", fmt.Errorf("oidc: token endpoint answered %s: %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || answer.Error != "" {
		return "", fmt.Errorf("oidc: token endpoint answered %s: %s: %s", resp.Status, answer.Error, answer.Description)
	}
	if answer.IDToken == "" {
		return "", errors.New("oidc: token endpoint answered without an id_token")
	}
	if err := f.checkIDToken(answer.IDToken); err != nil {
		return "", err
	}
	return answer.IDToken, nil
}

func (f *flow) checkIDToken(tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("oidc: the id_token is not a signed JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("oidc: id_token payload: %w", err)
	}
	var claims struct {
		Issuer string          `json:"iss"`
		Nonce  string          `json:"nonce"`
		Aud    json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return fmt.Errorf("oidc: id_token payload: %w", err)
	}
	var aud []string
	if json.Unmarshal(claims.Aud, &aud) != nil {
		var one string
		_ = json.Unmarshal(claims.Aud, &one)
		aud = []string{one}
	}
	switch {
	case claims.Nonce != f.nonce:
		return errors.New("oidc: the id_token carries another nonce")
	case claims.Issuer != f.issuer:
		return fmt.Errorf("oidc: the id_token's issuer is %q, not %q", claims.Issuer, f.issuer)
	case !slices.Contains(aud, f.clientID):
		return fmt.Errorf("oidc: the id_token is not for client %q", f.clientID)
	}
	return nil
}
