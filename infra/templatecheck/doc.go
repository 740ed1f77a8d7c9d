// Package templatecheck holds no code, only the tests that keep
// template.yaml in line with the handlers (routes), with the code (the
// TTL attribute, the environment the functions read, the handlers that must
// build) and with least privilege.
package templatecheck
