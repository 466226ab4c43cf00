package zfb

import "time"

// Clock tells the time. Nothing in the domain reads the wall clock directly:
// it asks a Clock, so tests and testers can move time.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(time.Now)

// AppClock is an app's own time: the base clock moved by the app's offset.
// The offset is persisted with the app, so a moved clock stays moved across
// restarts and across zfb instances sharing a database.
type AppClock struct {
	Base   Clock
	Offset time.Duration
}

// Now is the base time plus the offset.
func (c AppClock) Now() time.Time { return c.Base.Now().Add(c.Offset) }

// Beijing is the zone of gateway.do wall times (UTC+8, no daylight saving).
var Beijing = time.FixedZone("CST", 8*60*60)

// GatewayTimeLayout is how gateway.do writes times: Beijing time.
const GatewayTimeLayout = "2006-01-02 15:04:05"

// FormatGatewayTime renders t as gateway.do does.
func FormatGatewayTime(t time.Time) string { return t.In(Beijing).Format(GatewayTimeLayout) }

// ParseGatewayTime parses a gateway.do time, read as Beijing time.
func ParseGatewayTime(s string) (time.Time, error) {
	return time.ParseInLocation(GatewayTimeLayout, s, Beijing)
}
