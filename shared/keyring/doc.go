// Package keyring holds the pepper that keys token hashes.
//
// The keyring is a JSON document, kept in AWS Secrets Manager in production
// (read by shared/keyring/awssecret, so that this package imports no AWS
// SDK) and in a local file (created on first run) otherwise:
//
//	{"current":"k2","keys":{"k1":"<base64>","k2":"<base64>"}}
//
// New hashes use the current key; a stored hash is verified with the key id
// recorded next to it, so rotation is "add a key, move current" and old
// tokens keep working until their key is retired.
//
// A Keyring reads its source lazily (or eagerly via Load), caches it, and
// re-reads it when the cache is older than the configured interval. A key id
// it does not know may be a key added since the last read, so Verify
// re-reads the source for it, but at most once a minute across all callers:
// otherwise tokens forged with made-up key ids could drive one Secrets Manager
// call per request. When a re-read fails, the cached keyring keeps serving;
// errors surface only when there is no keyring at all. Error messages never
// contain key material.
package keyring
