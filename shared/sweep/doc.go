// Package sweep is the scheduled sweeper: it reads only the tokens whose
// lifecycle deadline has passed (GSI2) and marks, deletes or notifies them.
package sweep
