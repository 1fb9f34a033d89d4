//go:build race

package grad_test

const raceEnabled = true
