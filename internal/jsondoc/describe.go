package jsondoc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Describe says what is wrong with a JSON (or YAML) text in the terms of the text
// itself: where it breaks, or which field holds what kind of value where another kind is
// expected. encoding/json's own messages name the Go type it decoded into ("cannot
// unmarshal array into Go value of type struct { Keys … }"), which tells a user nothing
// about their document. Errors of other kinds are returned as they are.
func Describe(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var b64 base64.CorruptInputError
	switch {
	case errors.As(err, &syntax):
		if strings.Contains(syntax.Error(), "unexpected end") {
			return "the JSON text ends too early"
		}
		return fmt.Sprintf("not valid JSON at character %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		where := "the document"
		if typ.Field != "" {
			where = fmt.Sprintf("%q", typ.Field)
		}
		return fmt.Sprintf("%s is %s where %s is expected", where, withArticle(typ.Value), Kind(typ.Type))
	case errors.As(err, &b64):
		return fmt.Sprintf("a value that must be base64 is not (a character that base64 does not use at position %d)", int64(b64))
	}
	return err.Error()
}

// Kind names what a Go type holds as JSON calls it: an object, a list, a string, a
// number, true or false.
func Kind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a string (base64)"
		}
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

// withArticle turns encoding/json's name of what it found ("array", "string", "number
// 1.5") into words: "a list", "a string", "the number 1.5".
func withArticle(value string) string {
	switch {
	case value == "array":
		return "a list"
	case value == "object":
		return "an object"
	case value == "bool":
		return "true or false"
	case strings.HasPrefix(value, "number "):
		return "the number " + strings.TrimPrefix(value, "number ")
	}
	return "a " + value
}
