// Package clock is the time seam: production reads the system clock, tests
// and the sweeper's local "now" override move a fixed one.
package clock
