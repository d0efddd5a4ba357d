package app

// Numbers the tests read from outside the package.

// HashesRun returns how many password checks sign-in and sign-up ran.
func HashesRun(a *App) int64 { return a.slots.run.Load() }

// PeakHashes returns the most password checks that ran at once.
func PeakHashes(a *App) int64 { return a.slots.peak.Load() }

// AddressesTracked returns how many client addresses the limits remember.
func AddressesTracked(a *App) int { return a.addresses.len() }
