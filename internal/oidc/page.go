package oidc

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// loginForm is what a browser would submit of the first form on a page.
type loginForm struct {
	action, method string
	fields         url.Values // every named input with its value
	userField      string     // the first text-like input
	passwordField  string     // the first password input
}

// readPage reads an HTML answer: its first form, if any, and the text of
// what it announces as an alert (role="alert"), which is how the provider's
// pages say what went wrong.
func readPage(resp *http.Response) (*loginForm, string, error) {
	defer resp.Body.Close()
	doc, err := html.Parse(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, "", fmt.Errorf("oidc: %s %s: %w", resp.Request.Method, resp.Request.URL, err)
	}
	var form *loginForm
	var alerts []string
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && form == nil:
				form = &loginForm{action: attr(n, "action"), method: strings.ToUpper(attr(n, "method")), fields: url.Values{}}
				if form.method == "" {
					form.method = "GET"
				}
				inForm = true
			case n.Data == "input" && inForm:
				form.add(n)
			}
			if attr(n, "role") == "alert" {
				alerts = append(alerts, strings.Join(strings.Fields(text(n)), " "))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	return form, strings.Join(alerts, "; "), nil
}

func (f *loginForm) add(n *html.Node) {
	name := attr(n, "name")
	if name == "" {
		return
	}
	switch typ := strings.ToLower(attr(n, "type")); typ {
	case "password":
		if f.passwordField == "" {
			f.passwordField = name
		}
	case "", "text", "email":
		if f.userField == "" {
			f.userField = name
		}
	case "submit", "button", "reset", "image", "checkbox", "radio", "file":
		return
	}
	f.fields.Set(name, attr(n, "value"))
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}
