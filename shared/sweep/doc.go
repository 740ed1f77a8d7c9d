// Package sweep is the scheduled sweeper: it reads only the tokens whose
// lifecycle deadline has passed (GSI2) and marks, deletes or notifies them.
//
// A run pages through the sixteen GSI2 shards in turn, so its reads grow with
// the work due, not with the table. It keeps no cursor between runs: every
// token it handles moves to its next deadline (or is deleted), so whatever a
// run leaves undone is still due next time. Every write is conditional on the
// version the run read, which makes overlapping runs safe: the loser of a
// race finds the condition failed and moves on.
package sweep
