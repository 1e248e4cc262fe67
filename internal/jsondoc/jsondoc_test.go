package jsondoc

import (
	"encoding/json"
	"math"
	"testing"
)

func TestMarshal(t *testing.T) {
	type ordered struct {
		Zulu  string `json:"zulu"`
		Alpha []int  `json:"alpha"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "struct fields keep declaration order, two-space indent, trailing newline",
			in:   ordered{Zulu: "z", Alpha: []int{1, 2}},
			want: "{\n  \"zulu\": \"z\",\n  \"alpha\": [\n    1,\n    2\n  ]\n}\n",
		},
		{
			name: "map keys are sorted",
			in:   map[string]int{"b": 2, "a": 1, "c": 3},
			want: "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}\n",
		},
		{
			name: "no HTML escaping",
			in:   map[string]string{"k": "a&b <c>"},
			want: "{\n  \"k\": \"a&b <c>\"\n}\n",
		},
		{
			name: "empty slice stays an empty array",
			in:   map[string][]string{"keys": {}},
			want: "{\n  \"keys\": []\n}\n",
		},
		{
			name: "raw messages are re-indented",
			in:   []json.RawMessage{json.RawMessage(`{"a":   [1,2],"b":{}}`)},
			want: "[\n  {\n    \"a\": [\n      1,\n      2\n    ],\n    \"b\": {}\n  }\n]\n",
		},
		{
			name: "scalar",
			in:   "x",
			want: "\"x\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestMarshalDeterministic(t *testing.T) {
	in := map[string]any{"z": []string{"1"}, "y": map[string]int{"q": 1, "p": 2}, "x": true}
	first, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		got, err := Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(first) {
			t.Fatalf("run %d gave different bytes:\n%s\nfirst:\n%s", i, got, first)
		}
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"NaN is not JSON", math.NaN()},
		{"channels are not JSON", make(chan int)},
		{"invalid raw message", json.RawMessage(`{"a":`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Marshal(tt.in); err == nil {
				t.Errorf("Marshal = %q, want an error", got)
			}
		})
	}
}
