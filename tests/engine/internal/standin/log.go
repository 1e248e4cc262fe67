package standin

import (
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// LogEnv names the file every stand-in call is appended to, one JSON object a line.
const LogEnv = "EKSA_IRSA_STANDIN_LOG"

// Entry is one call as the log records it. Secrets appear as {"@secret": "sha256:…"},
// unknowns as {"@unknown": true}.
type Entry struct {
	Time     string         `json:"time"`
	Plugin   string         `json:"plugin"`
	PID      int            `json:"pid"`
	Method   string         `json:"method"`
	URN      string         `json:"urn,omitempty"`
	Type     string         `json:"type,omitempty"`
	ID       string         `json:"id,omitempty"`
	Preview  bool           `json:"preview,omitempty"`
	Inputs   map[string]any `json:"inputs,omitempty"`
	Olds     map[string]any `json:"olds,omitempty"`
	Outputs  map[string]any `json:"outputs,omitempty"`
	Changes  []string       `json:"changes,omitempty"`
	Replaces []string       `json:"replaces,omitempty"`
	Failures []string       `json:"failures,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// Recorder appends entries to the log file, if one is named. Several plugin processes
// may share the file: it is opened with O_APPEND and each entry is a single write.
type Recorder struct {
	plugin string
	path   string
	mu     sync.Mutex
}

// NewRecorder records the calls of the named plugin to path; an empty path records
// nothing.
func NewRecorder(plugin, path string) *Recorder {
	return &Recorder{plugin: plugin, path: path}
}

// Call is what a provider method hands the recorder.
type Call struct {
	Method, URN, Type, ID string
	Preview               bool
	Inputs, Olds, Outputs resource.PropertyMap
	Changes, Replaces     []string
	Failures              []string
	Err                   error
}

// Record appends c. A log that cannot be written is ignored: the log serves tests,
// never the engine.
func (r *Recorder) Record(c Call) {
	if r == nil || r.path == "" {
		return
	}
	e := Entry{
		Time:     time.Now().UTC().Format(time.RFC3339Nano),
		Plugin:   r.plugin,
		PID:      os.Getpid(),
		Method:   c.Method,
		URN:      c.URN,
		Type:     c.Type,
		ID:       c.ID,
		Preview:  c.Preview,
		Inputs:   LogJSON(c.Inputs),
		Olds:     LogJSON(c.Olds),
		Outputs:  LogJSON(c.Outputs),
		Changes:  c.Changes,
		Replaces: c.Replaces,
		Failures: c.Failures,
	}
	if c.Err != nil {
		e.Error = c.Err.Error()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	line = append(line, '\n')
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // the log file the test names
	if err != nil {
		return
	}
	_, _ = f.Write(line)
	_ = f.Close()
}
