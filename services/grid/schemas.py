"""Request and response schemas of the grid API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.grid import login
from services.grid.domain import AREA_TYPES, ROLE_LABELS, UNIT_KINDS, Role, normalize_phone
from shared.fields import Date

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="编码只能由字母、数字、_ 和 - 组成")
CELL_CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="编码只能由字母、数字、_、. 和 - 组成")
ROLES = [r.value for r in Role]
PERSON_ROLES = validate.OneOf(list(login.PERSON_ROLES))


class Phone(fields.String):
    """A mainland mobile or landline number, normalised (spaces and +86 removed)."""

    def _deserialize(self, value, attr, data, **kwargs):
        phone = normalize_phone(super()._deserialize(value, attr, data, **kwargs))
        if phone is None:
            raise ValidationError("不是有效的手机号（13812345678）或固定电话（0931-8123456）")
        return phone


class UnitCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(list(UNIT_KINDS)))


class UnitUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(list(UNIT_KINDS)))


class UnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda u: UNIT_KINDS.get(u.kind, u.kind))


class PersonCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = Phone(required=True)
    unit_code = fields.String(required=True, validate=CODE)
    staff_no = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    student_no = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    roles = fields.List(
        fields.String(validate=PERSON_ROLES),
        load_default=list,
        metadata={"description": "roles of the person's sign-in token (security office only)"},
    )


class PersonUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=50))
    phone = Phone()
    unit_code = fields.String(validate=CODE)
    staff_no = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    student_no = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    roles = fields.List(fields.String(validate=PERSON_ROLES))


class PersonSchema(Schema):
    """Phone and numbers are masked for callers outside the person's unit."""

    id = fields.String()
    name = fields.String()
    phone = fields.String()
    unit_code = fields.String()
    staff_no = fields.String(allow_none=True)
    student_no = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    can_sign_in = fields.Boolean(metadata={"description": "a password is set"})


class PasswordSetSchema(Schema):
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )
    new_password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )


class LoginSchema(Schema):
    login = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "staff number (工号), student number (学号) or person id"},
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=128)
    )


class SignedInPersonSchema(Schema):
    id = fields.String()
    name = fields.String()
    unit_code = fields.String()
    unit_name = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    number = fields.String(allow_none=True, metadata={"description": "学号, else 工号"})


class LoginResultSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    person = fields.Nested(SignedInPersonSchema)


class PeopleQuerySchema(Schema):
    unit_code = fields.String(validate=CODE)
    q = fields.String(
        validate=validate.Length(min=1, max=50),
        metadata={"description": "part of the name, or a whole staff/student number"},
    )


class CellCreateSchema(Schema):
    code = fields.String(required=True, validate=CELL_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    area_type = fields.String(required=True, validate=validate.OneOf(list(AREA_TYPES)))
    parent_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    unit_code = fields.String(load_default=None, validate=CODE)
    location = fields.String(load_default=None, validate=validate.Length(max=200))


class CellUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    area_type = fields.String(validate=validate.OneOf(list(AREA_TYPES)))
    location = fields.String(allow_none=True, validate=validate.Length(max=200))


class CellMoveSchema(Schema):
    parent_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class CellEndSchema(Schema):
    ended_on = Date(load_default=None, metadata={"description": "campus date; default today"})
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))


class CellSchema(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    level = fields.Integer()
    parent_id = fields.String(allow_none=True)
    unit_code = fields.String(allow_none=True)
    area_type = fields.String()
    area_type_label = fields.Function(lambda c: AREA_TYPES.get(c.area_type, c.area_type))
    location = fields.String(allow_none=True)
    ended_on = Date(allow_none=True)  # 停用 from this day; None: in use
    end_reason = fields.String(allow_none=True)


class CellQuerySchema(Schema):
    unit_code = fields.String(validate=CODE)
    parent_id = fields.String(validate=validate.Length(min=1, max=36))
    area_type = fields.String(validate=validate.OneOf(list(AREA_TYPES)))
    # Lists people pick a place from leave ended places out; the tree may ask for them.
    include_ended = fields.Boolean(load_default=False)


class AssignmentCreateSchema(Schema):
    cell_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    person_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    effective_from = Date(load_default=None)


class AssignmentEndSchema(Schema):
    effective_to = Date(required=True)


class AssignmentSchema(Schema):
    id = fields.String()
    cell_id = fields.String()
    person_id = fields.String()
    person_name = fields.String()
    role = fields.String()
    role_label = fields.Function(lambda a: ROLE_LABELS[Role(a["role"])])
    effective_from = Date()
    effective_to = Date(allow_none=True)
    cell_code = fields.String()
    cell_name = fields.String()


class OnDateQuerySchema(Schema):
    on = Date(load_default=None, metadata={"description": "campus date; default today"})
    role = fields.String(validate=validate.OneOf(ROLES))


class GapsQuerySchema(Schema):
    on = Date(load_default=None)
    unit_code = fields.String(validate=CODE)


class GapSchema(Schema):
    cell = fields.Nested(CellSchema)
    missing_roles = fields.List(fields.String())


class RosterQuerySchema(Schema):
    unit_code = fields.String(validate=CODE)
    area_type = fields.String(validate=validate.OneOf(list(AREA_TYPES)))
    format = fields.String(load_default="html", validate=validate.OneOf(["html", "pdf", "xlsx"]))
    on = Date(load_default=None)

    @validates_schema
    def _one_scope(self, data, **kwargs):
        if bool(data.get("unit_code")) == bool(data.get("area_type")):
            raise ValidationError(
                "单位（unit_code）和区域类型（area_type）须且只能填一个", "unit_code"
            )


class ImportFileSchema(Schema):
    file = fields.Raw(
        required=True, metadata={"type": "string", "format": "binary", "description": ".xlsx/.csv"}
    )


class ImportQuerySchema(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "check and count only; nothing is applied"}
    )


class RowErrorSchema(Schema):
    row = fields.Integer()
    column = fields.String()
    reason = fields.String()


class ImportResultSchema(Schema):
    rows = fields.Integer()
    people_created = fields.Integer()
    people_updated = fields.Integer()
    assignments_created = fields.Integer()
    unchanged = fields.Integer()
