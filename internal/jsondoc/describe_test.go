package jsondoc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
)

func TestDescribe(t *testing.T) {
	unmarshal := func(text string, into any) error { return json.Unmarshal([]byte(text), into) }
	var set struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	var config struct {
		Clusters []struct {
			Cluster struct {
				Server string `json:"server"`
			} `json:"cluster"`
		} `json:"clusters"`
		Port uint16 `json:"port"`
	}
	_, b64 := base64.StdEncoding.DecodeString("notbase64!!")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{unmarshal(`[1]`, &set), "the document is a list where an object is expected"},
		{unmarshal(`{"keys": {}}`, &set), `"keys" is an object where a list is expected`},
		{unmarshal(`{"clusters": [{"cluster": {"server": [1]}}]}`, &config), `"clusters.cluster.server" is a list where a string is expected`},
		{unmarshal(`{"port": 1.5}`, &config), `"port" is the number 1.5 where a whole number is expected`},
		{unmarshal(`{"keys": `, &set), "the JSON text ends too early"},
		{unmarshal(`{"keys" 1}`, &set), "not valid JSON at character 9: invalid character '1' after object key"},
		{b64, "a value that must be base64 is not (a character that base64 does not use at position 9)"},
		{errors.New("other"), "other"},
	} {
		if got := Describe(tc.err); got != tc.want {
			t.Errorf("Describe(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
