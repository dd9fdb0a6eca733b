"""Bulk price updates: import and export of cloud offers and API prices.

django-import-export resources, used by the admin (upload, preview, confirm) and by
``manage.py import_api_prices``, so both take one path. Every row is validated with
the model's own clean() and the rules below; each saved row gets a history record
(django-simple-history) naming the import.
"""

from __future__ import annotations

import base64
import datetime
import zlib
from collections.abc import Iterable

import tablib
from diff_match_patch import diff_match_patch
from django.core import signing
from django.core.exceptions import BadRequest
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.html import format_html, format_html_join
from import_export import fields, resources, widgets
from import_export.formats.base_formats import TextFormat
from import_export.tmp_storages import BaseStorage

from calculator import litellm
from calculator.models import ApiOffering, CloudOffer, GpuType, LlmModel

UNDATED = ("", "unknown")
DATE_FORMAT = "%Y-%m-%d"


class RequiredDateWidget(widgets.DateWidget):
    """A date is required on import: an import is how offers get real dates."""

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMAT)

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip().lower() in UNDATED:
            raise ValueError("A date is needed (YYYY-MM-DD): the day this price was read.")
        return super().clean(value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "unknown" if value is None else super().render(value, obj, **kwargs)


class KnownGpuWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(GpuType, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except GpuType.DoesNotExist:
            raise ValueError(f"Unknown GPU {value!r}: use a slug from /api/gpus.") from None


class ClassedDiff(resources.Diff):
    """The preview's before/after diff with classes instead of inline styles, which the
    site's Content Security Policy blocks (static/css/admin.css colours them)."""

    TAGS = {
        diff_match_patch.DIFF_INSERT: "ins",
        diff_match_patch.DIFF_DELETE: "del",
        diff_match_patch.DIFF_EQUAL: "span",
    }

    def as_html(self):
        data = []
        dmp = diff_match_patch()
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            diff = dmp.diff_main(force_str(before), force_str(after))
            dmp.diff_cleanupSemantic(diff)
            data.append(
                format_html_join(
                    "",
                    "{}",
                    (
                        (format_html('<{0} class="diff-{0}">{1}</{0}>', self.TAGS[op], text),)
                        for op, text in diff
                    ),
                )
            )
        return data


class PreviewResource(resources.ModelResource):
    def get_diff_class(self):
        return ClassedDiff


class SignedFormStorage(BaseStorage):
    """Keeps an upload between the preview and the confirmation in the confirmation form
    itself (compressed and signed with the secret key), not on one server's disk: the
    app keeps no state outside the database, so the confirmation may reach another app
    server than the preview did. The signature expires after an hour."""

    SALT = "calculator.resources.SignedFormStorage"
    MAX_AGE_SECONDS = 3600

    def save(self, data) -> None:
        raw = data if isinstance(data, bytes) else data.encode(self.encoding or "utf-8")
        packed = base64.urlsafe_b64encode(zlib.compress(raw)).decode()
        self.name = signing.TimestampSigner(salt=self.SALT).sign(packed)

    def read(self):
        try:
            packed = signing.TimestampSigner(salt=self.SALT).unsign(
                self.name, max_age=self.MAX_AGE_SECONDS
            )
        except signing.SignatureExpired:
            raise BadRequest("The preview is over an hour old: upload the file again.") from None
        except signing.BadSignature:
            raise BadRequest("The upload was altered: upload the file again.") from None
        raw = zlib.decompress(base64.urlsafe_b64decode(packed))
        return raw if "b" in self.read_mode else raw.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        pass  # nothing was stored


# django-simple-history's history_change_reason column holds 100 characters.
CHANGE_REASON_MAX_LENGTH = 100


def _change_reason(instance, reason: str) -> None:
    # django-simple-history reads this when the save records the history row.
    instance._change_reason = reason[:CHANGE_REASON_MAX_LENGTH]


# Section: cloud offers


class CloudOfferResource(PreviewResource):
    """The columns of data/gpu_offers.csv, so the seed's file imports as it is (once it
    has dates)."""

    gpu = fields.Field(attribute="gpu", column_name="gpu_slug", widget=KnownGpuWidget())
    as_of = fields.Field(attribute="as_of", column_name="as_of", widget=RequiredDateWidget())
    instance_type = fields.Field(attribute="instance_name", column_name="instance_type")

    class Meta:
        model = CloudOffer
        fields = (
            "gpu",
            "provider",
            "instance_type",
            "gpus_per_instance",
            "region",
            "on_demand_usd_per_gpu_hour",
            "spot_usd_per_gpu_hour",
            "instance_on_demand_usd_per_hour",
            "as_of",
            "source",
            "notes",
            "price_flag",
            "is_active",
        )
        export_order = fields
        import_id_fields = ("gpu", "provider", "instance_type", "region")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def before_save_instance(self, instance, row, **kwargs):
        _change_reason(instance, "Imported from a file in the admin")


# Section: API prices (LiteLLM's price map)


class LiteLLMPriceMap(TextFormat):
    """LiteLLM's model_prices_and_context_window.json as an import format: one row per
    chat entry with both token prices."""

    TABLIB_MODULE = "tablib.formats._json"
    CONTENT_TYPE = "application/json"
    HEADERS = (
        "slug",
        "provider",
        "input_usd_per_1m",
        "output_usd_per_1m",
        "cached_input_usd_per_1m",
        "deprecation_date",
    )

    def get_title(self):
        return "LiteLLM price map (json)"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8")
        dataset = tablib.Dataset(headers=list(self.HEADERS))
        for entry in litellm.read_price_map(in_stream):
            dataset.append(
                (
                    entry.key,
                    entry.provider,
                    str(entry.input_usd_per_1m),
                    str(entry.output_usd_per_1m),
                    ""
                    if entry.cached_input_usd_per_1m is None
                    else str(entry.cached_input_usd_per_1m),
                    entry.deprecation_date or "",
                )
            )
        return dataset

    def can_export(self):
        return False


def model_identities(models: Iterable[LlmModel]) -> dict[str, LlmModel]:
    """Each catalog model under the identity its name and its Hugging Face repo give."""
    found = {}
    for model in models:
        for name in (model.name, model.hf_repo):
            key = litellm.identity(name) if name else None
            if key is not None:
                found.setdefault(key, model)
    return found


LITELLM_SOURCE = "BerriAI/litellm model_prices_and_context_window.json"


class ApiPriceResource(PreviewResource):
    """API offerings from LiteLLM's price map: the upstream key is the slug; each entry
    is linked to the catalog model it serves when it is the same model.

    ``as_of``: the date the prices were read (None: undated); ``source``: where the file
    came from, recorded on every row.
    """

    llm_model = fields.Field(
        attribute="llm_model",
        column_name="llm_model",
        widget=widgets.ForeignKeyWidget(LlmModel, field="slug"),
    )

    class Meta:
        model = ApiOffering
        fields = (
            "slug",
            "provider",
            "name",
            "api_model_id",
            "llm_model",
            "input_usd_per_1m",
            "output_usd_per_1m",
            "cached_input_usd_per_1m",
            "price_as_of",
            "price_source",
            "is_reference",
            "is_deprecated",
            "is_active",
        )
        import_id_fields = ("slug",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(
        self,
        *,
        as_of: datetime.date | None = None,
        source: str = "",
        today: datetime.date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.as_of = as_of
        self.source = source or LITELLM_SOURCE
        self.today = today or datetime.date.today()
        self.identities = model_identities(LlmModel.objects.all())

    def before_import_row(self, row, **kwargs):
        key = row["slug"]
        model = self.identities.get(litellm.identity(key, row.get("provider", "")))
        ends = row.get("deprecation_date") or ""
        row["name"] = key.rsplit("/", 1)[-1]
        row["api_model_id"] = key
        row["llm_model"] = model.slug if model else ""
        row["price_as_of"] = self.as_of.isoformat() if self.as_of else ""
        row["price_source"] = self.source
        row["is_reference"] = "1" if model is None and litellm.is_reference(key) else "0"
        row["is_deprecated"] = "1" if ends and ends < self.today.isoformat() else "0"
        row["is_active"] = "1"

    def before_save_instance(self, instance, row, **kwargs):
        _change_reason(instance, f"Imported from {self.source}")

    def after_import(self, dataset, result, **kwargs):
        """Rows from an earlier copy of the map that this one lacks stay, marked
        deprecated, for the providers this file prices (so a file with one provider's
        entries leaves the others alone); an earlier row under another slug for a key
        imported now (the 2024 seed's "openai-gpt-4o" for "gpt-4o") is retired."""
        keys = set(dataset["slug"]) if dataset.height else set()
        if not keys:
            return
        providers = set(dataset["provider"])
        earlier = ApiOffering.objects.exclude(slug__in=keys).filter(
            Q(api_model_id__in=keys) | Q(provider__in=providers),
            price_source__icontains="litellm",
        )
        for offering in earlier:
            replaced = offering.api_model_id in keys
            if replaced and offering.is_active:
                offering.is_active = False
                offering.notes = f"{offering.notes} Replaced by {offering.api_model_id}.".strip()
            elif not replaced and not offering.is_deprecated:
                offering.is_deprecated = True
                offering.notes = f"{offering.notes} Not in the price map imported.".strip()
            else:
                continue
            _change_reason(offering, f"Imported from {self.source}")
            offering.save()
