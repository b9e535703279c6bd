"""Java serialization, read: enough of the stream grammar to find where a serialized object
ends (a JCEKS secret key is a ``SealedObject`` with no length prefix) and to read its fields.

:class:`_JavaStreamReader` walks the stream with an explicit stack, never recursing, and only
interprets the grammar: no class is looked up or instantiated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keystore_tool.errors import FormatError
from keystore_tool.formats.java.datainput import Reader
from keystore_tool.formats.java.mutf8 import decode_modified_utf8

_TC_NULL, _TC_REFERENCE, _TC_CLASSDESC, _TC_OBJECT, _TC_STRING = 0x70, 0x71, 0x72, 0x73, 0x74
_TC_ARRAY, _TC_CLASS, _TC_BLOCKDATA, _TC_ENDBLOCKDATA, _TC_RESET = 0x75, 0x76, 0x77, 0x78, 0x79
_TC_BLOCKDATALONG, _TC_LONGSTRING, _TC_PROXYCLASSDESC, _TC_ENUM = 0x7A, 0x7C, 0x7D, 0x7E
_SC_WRITE_METHOD, _SC_SERIALIZABLE, _SC_EXTERNALIZABLE, _SC_BLOCK_DATA = 0x01, 0x02, 0x04, 0x08
_PRIMITIVE_SIZES = {"B": 1, "Z": 1, "C": 2, "S": 2, "I": 4, "F": 4, "J": 8, "D": 8}
_MAX_CLASS_DEPTH = 64


class _ClassDesc:
    __slots__ = ("fields", "flags", "name", "parent")

    def __init__(self, name: str) -> None:
        self.name = name
        self.flags = 0
        self.fields: list[tuple[str, str]] = []  # (type code, name)
        self.parent: _ClassDesc | None = None


class JavaObject:
    """A serialized object's class and its fields by name (primitive fields as their raw bytes)."""

    __slots__ = ("desc", "fields")

    def __init__(self, desc: _ClassDesc) -> None:
        self.desc = desc
        self.fields: dict[str, Any] = {}


class _JavaStreamReader:
    """Reads one object from a Java serialization stream with an explicit stack.

    Values come back as Python values (str, bytes for byte[], :class:`JavaObject`, a
    :class:`_ClassDesc`, None); other arrays are skipped. Only the stream grammar is
    interpreted: no class is looked up or instantiated.
    """

    def __init__(self, data: bytes, pos: int) -> None:
        self.r = Reader(data)
        self.r.pos = pos
        self.handles: list[Any] = []
        self.last: Any = None
        # What follows each type code: the element's reader.
        self._by_code: dict[int, Callable[[], None]] = {
            _TC_NULL: self._null,
            _TC_REFERENCE: self._reference,
            _TC_STRING: self._string,
            _TC_LONGSTRING: self._long_string,
            _TC_CLASSDESC: self._class_desc,
            _TC_PROXYCLASSDESC: self._proxy_class_desc,
            _TC_OBJECT: self._after_class(self._object_body),
            _TC_ARRAY: self._after_class(self._array_body),
            _TC_ENUM: self._after_class(self._enum_body),
            _TC_CLASS: self._after_class(self._class_body),
            _TC_RESET: self._reset,
        }

    def read(self) -> Any:
        r = self.r
        if r.take(4, "a serialized key") != b"\xac\xed\x00\x05":
            raise FormatError("a secret key entry is not a Java serialization stream")
        self.stack: list[Callable[[], None]] = [self._object]
        # Each step consumes at least one byte or pops work, so the data length bounds it.
        while self.stack:
            self.stack.pop()()
        return self.last

    # Steps push follow-up steps on self.stack; the value an object read produced is self.last.

    def _object(self) -> None:
        tc = self.r.u8("a serialized object")
        read = self._by_code.get(tc)
        if read is None:
            raise FormatError(f"a serialized key has an unsupported element (0x{tc:02x})")
        read()

    def _after_class(self, body: Callable[[], None]) -> Callable[[], None]:
        """An object, array, enum or class: its class descriptor comes first, then ``body``."""

        def step() -> None:
            self.stack.append(body)
            self.stack.append(self._object)

        return step

    def _null(self) -> None:
        self.last = None

    def _reference(self) -> None:
        index = self.r.int32("a serialized reference") - 0x7E0000
        if not 0 <= index < len(self.handles):
            raise FormatError("a serialized key has a dangling reference")
        self.last = self.handles[index]

    def _string(self) -> None:
        r = self.r
        self.last = decode_modified_utf8(r.take(r.uint16("a string"), "a string"))
        self.handles.append(self.last)

    def _long_string(self) -> None:
        r = self.r
        self.last = decode_modified_utf8(r.take(r.int64("a string"), "a string"))
        self.handles.append(self.last)

    def _class_desc(self) -> None:
        r = self.r
        desc = _ClassDesc(r.utf("a class name"))
        r.take(8, "a serialVersionUID")
        self.handles.append(desc)
        desc.flags = r.u8("class flags")
        for _ in range(r.uint16("a field count")):
            code = chr(r.u8("a field type"))
            name = r.utf("a field name")
            if code in "L[":
                self._inline_string()
            elif code not in _PRIMITIVE_SIZES:
                raise FormatError("a serialized key has an invalid field type")
            desc.fields.append((code, name))
        self._then_annotation_and_parent(desc)

    def _proxy_class_desc(self) -> None:
        r = self.r
        desc = _ClassDesc("$Proxy")
        self.handles.append(desc)
        for _ in range(max(0, r.int32("proxy interfaces"))):
            r.utf("an interface name")
        self._then_annotation_and_parent(desc)

    def _then_annotation_and_parent(self, desc: _ClassDesc) -> None:
        push = self.stack.append
        push(lambda: self._set_parent(desc))
        push(self._object)
        push(self._annotation)

    def _reset(self) -> None:
        self.handles.clear()
        self.stack.append(self._object)

    def _inline_string(self) -> None:
        tc = self.r.u8("a field class name")
        if tc == _TC_STRING:
            self.handles.append(decode_modified_utf8(self.r.take(self.r.uint16("a"), "a string")))
        elif tc == _TC_REFERENCE:
            self.r.int32("a serialized reference")
        else:
            raise FormatError("a serialized key has an invalid field class name")

    def _set_parent(self, desc: _ClassDesc) -> None:
        parent = self.last
        if parent is not None and not isinstance(parent, _ClassDesc):
            raise FormatError("a serialized key has an invalid superclass")
        desc.parent = parent
        self.last = desc

    def _annotation(self) -> None:
        r = self.r
        r.need(1, "a class annotation")
        tc = r.data[r.pos]
        if tc == _TC_ENDBLOCKDATA:
            r.pos += 1
        elif tc == _TC_BLOCKDATA:
            r.pos += 1
            r.take(r.u8("block data"), "block data")
            self.stack.append(self._annotation)
        elif tc == _TC_BLOCKDATALONG:
            r.pos += 1
            r.take(r.int32("block data"), "block data")
            self.stack.append(self._annotation)
        else:
            self.stack.append(self._annotation)
            self.stack.append(self._object)

    def _desc_from_last(self) -> _ClassDesc:
        desc = self.last
        if not isinstance(desc, _ClassDesc):
            raise FormatError("a serialized key has an object without a class")
        return desc

    def _object_body(self) -> None:
        desc = self._desc_from_last()
        obj = JavaObject(desc)
        self.handles.append(obj)
        lineage: list[_ClassDesc] = []
        walk: _ClassDesc | None = desc
        while walk is not None:
            if len(lineage) >= _MAX_CLASS_DEPTH:
                raise FormatError("a serialized key has a class hierarchy that is too deep")
            lineage.append(walk)
            walk = walk.parent
        push = self.stack.append
        push(lambda: setattr(self, "last", obj))
        # Superclass data comes first in the stream, so it is pushed last.
        for cls in lineage:
            if cls.flags & _SC_EXTERNALIZABLE:
                if not cls.flags & _SC_BLOCK_DATA:
                    raise FormatError("a serialized key uses an unsupported externalizable form")
                push(self._annotation)
                continue
            if cls.flags & _SC_WRITE_METHOD:
                push(self._annotation)
            push(self._field_step(obj, cls, 0))

    def _field_step(self, obj: JavaObject, cls: _ClassDesc, index: int) -> Callable[[], None]:
        def step() -> None:
            r = self.r
            i = index
            while i < len(cls.fields):
                code, name = cls.fields[i]
                i += 1
                size = _PRIMITIVE_SIZES.get(code)
                if size is not None:
                    obj.fields[name] = r.take(size, "a field value")
                    continue
                self.stack.append(self._field_step(obj, cls, i))
                self.stack.append(self._store_field(obj, name))
                self.stack.append(self._object)
                return

        return step

    def _store_field(self, obj: JavaObject, name: str) -> Callable[[], None]:
        def step() -> None:
            obj.fields[name] = self.last

        return step

    def _array_body(self) -> None:
        desc = self._desc_from_last()
        r = self.r
        length = r.int32("an array length")
        if length < 0 or len(desc.name) < 2 or desc.name[0] != "[":
            raise FormatError("a serialized key has an invalid array")
        code = desc.name[1]
        size = _PRIMITIVE_SIZES.get(code)
        if size is not None:
            value: Any = r.take(length * size, "an array")
            self.handles.append(value if code == "B" else None)
            self.last = value if code == "B" else None
            return
        self.handles.append(None)
        r.need(length, "an array")  # every element takes at least one byte

        def elements(left: int) -> Callable[[], None]:
            def step() -> None:
                if left:
                    self.stack.append(elements(left - 1))
                    self.stack.append(self._object)
                else:
                    self.last = None

            return step

        self.stack.append(elements(length))

    def _enum_body(self) -> None:
        self._desc_from_last()
        slot = len(self.handles)
        self.handles.append(None)

        def named() -> None:
            self.handles[slot] = self.last

        self.stack.append(named)
        self.stack.append(self._object)

    def _class_body(self) -> None:
        self.handles.append(self._desc_from_last())


def skip_java_object_stream(data: bytes, pos: int) -> int:
    """Where the serialized object starting at ``pos`` ends."""
    reader = _JavaStreamReader(data, pos)
    reader.read()
    return reader.r.pos


def read_java_object(data: bytes) -> Any:
    """The object a whole serialization stream holds (see :class:`JavaObject`)."""
    return _JavaStreamReader(data, 0).read()
