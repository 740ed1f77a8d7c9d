package extension

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// apiVersion prefixes every Extensions API path
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html#runtimes-extensions-registration-api).
const apiVersion = "2020-01-01"

// Headers of the Extensions API.
const (
	headerName       = "Lambda-Extension-Name"
	headerIdentifier = "Lambda-Extension-Identifier"
)

// EventInvoke is the type of the event Lambda sends at each invocation.
const EventInvoke = "INVOKE"

// Event is what Next returns: the invocation it concerns and when its
// time runs out.
type Event struct {
	Type string `json:"eventType"`
	// DeadlineMs is the invocation's deadline, in Unix milliseconds.
	DeadlineMs int64  `json:"deadlineMs"`
	RequestID  string `json:"requestId"`
}

// Client is one registered extension. It speaks HTTP/1.1 over one
// connection of its own, with net/http's request writer and response
// reader but without a Transport: an extension makes one request at a
// time, and a Transport's connection pool and its two goroutines per
// connection would cost every cold start and every invocation (Next is
// called once per invocation) for nothing.
type Client struct {
	addr  string
	id    string
	conn  net.Conn
	br    *bufio.Reader
	asked *http.Request // sent, its answer not read yet
}

// Register registers an internal extension called name for INVOKE events
// with the Extensions API at addr (AWS_LAMBDA_RUNTIME_API).
func Register(ctx context.Context, addr, name string) (*Client, error) {
	c := &Client{addr: addr}
	body, err := json.Marshal(struct {
		Events []string `json:"events"`
	}{Events: []string{EventInvoke}})
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodPost, "register", body, map[string]string{headerName: name})
	if err != nil {
		c.close()
		return nil, fmt.Errorf("extension: register: %w", err)
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		c.close()
		return nil, &APIError{Op: "register", Status: resp.StatusCode}
	}
	if c.id = resp.Header.Get(headerIdentifier); c.id == "" {
		c.close()
		return nil, fmt.Errorf("extension: register: no %s in the answer", headerIdentifier)
	}
	return c, nil
}

// Next tells Lambda the extension is done with the last event and waits
// for the next one, as long as it takes (the docs: "Do not set a timeout
// on the GET call"); cancelling ctx ends the wait.
func (c *Client) Next(ctx context.Context) (Event, error) {
	if err := c.Ask(ctx); err != nil {
		return Event{}, err
	}
	return c.Event(ctx)
}

// Ask sends the Next request without reading its answer: Lambda counts
// the extension done with the last event once the request arrives. The
// event is read by Event, whenever the extension wants it: until then it
// waits in the connection, costing the process nothing.
func (c *Client) Ask(ctx context.Context) error {
	if err := c.send(ctx, http.MethodGet, "event/next", nil, map[string]string{headerIdentifier: c.id}); err != nil {
		return fmt.Errorf("extension: next: %w", err)
	}
	return nil
}

// Event reads the answer to the last Ask: the next event.
func (c *Client) Event(ctx context.Context) (Event, error) {
	resp, err := c.receive(ctx)
	if err != nil {
		return Event{}, fmt.Errorf("extension: next: %w", err)
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return Event{}, &APIError{Op: "next", Status: resp.StatusCode}
	}
	var ev Event
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil {
		return Event{}, fmt.Errorf("extension: next: unreadable event: %w", err)
	}
	return ev, nil
}

// do sends one request and reads the answer's head; the caller drains its
// body before the next request.
func (c *Client) do(ctx context.Context, method, path string, body []byte, headers map[string]string) (*http.Response, error) {
	if err := c.send(ctx, method, path, body, headers); err != nil {
		return nil, err
	}
	return c.receive(ctx)
}

// send writes one request on the client's connection, dialling when there
// is none (the first request, or after the server closed it).
func (c *Client) send(ctx context.Context, method, path string, body []byte, headers map[string]string) error {
	if c.conn == nil {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn, c.br = conn, bufio.NewReader(conn)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.addr+"/"+apiVersion+"/extension/"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if err := req.Write(c.conn); err != nil {
		c.close()
		return err
	}
	c.asked = req
	return nil
}

// receive reads the answer to the request send wrote.
func (c *Client) receive(ctx context.Context) (*http.Response, error) {
	if c.conn == nil || c.asked == nil {
		return nil, errors.New("no request waits for an answer")
	}
	// A cancelled ctx ends a blocked read by closing the connection.
	conn := c.conn
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	resp, err := http.ReadResponse(c.br, c.asked)
	c.asked = nil
	if err != nil {
		c.close()
		return nil, err
	}
	if resp.Close {
		// The server will close after this answer: dial anew next time.
		resp.Body = closeAfter{resp.Body, c}
	}
	return resp, nil
}

func (c *Client) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn, c.br = nil, nil
	}
}

// closeAfter closes the client's connection once the body is read.
type closeAfter struct {
	io.ReadCloser
	c *Client
}

func (b closeAfter) Close() error {
	err := b.ReadCloser.Close()
	b.c.close()
	return err
}

// drain reads what is left of a body so the connection can carry the
// next request.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}
