package store

import (
	"reflect"
	"testing"
)

// The store is reached through its methods only: an exported field would
// let a caller swap what every operation relies on (docs/HACKING.md
// "pkg/store").
func TestStoreHasNoExportedFields(t *testing.T) {
	typ := reflect.TypeFor[Store]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() {
			t.Errorf("store.Store.%s is exported", f.Name)
		}
	}
}
