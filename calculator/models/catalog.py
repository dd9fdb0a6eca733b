"""The catalog: GPUs, open models, inference engines, hosted APIs and cloud offers, with
provenance.

Rows hold data and where it came from; formulas live only in ``calculator.estimator``.
Each model's ``to_spec()`` maps a row onto the estimator's frozen dataclass, so the
dependency runs from Django to the estimator and never back.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from calculator.estimator import pricing, specs

# Slugs appear in URLs and in the seed migration. They may contain dots because the
# names they come from do ("llama-3.1-8b", "llama.cpp", "gpt-3.5-turbo"); Django's
# SlugField rejects dots, so slugs are CharFields with this narrower pattern instead.
validate_catalog_slug = RegexValidator(
    r"^[a-z0-9]+(?:[.-][a-z0-9]+)*\Z",
    "Lowercase letters and digits, joined by single hyphens or dots.",
)
SLUG_MAX_LENGTH = 64

INTERCONNECT_CHOICES = [
    (specs.Interconnect.NVLINK.value, "NVLink through NVSwitch (all GPUs of the node)"),
    (specs.Interconnect.NVLINK_BRIDGE.value, "NVLink bridge (pairs; PCIe beyond two)"),
    (specs.Interconnect.INFINITY_FABRIC.value, "AMD Infinity Fabric (xGMI)"),
    (specs.Interconnect.ETHERNET.value, "On-chip Ethernet (RoCE)"),
    (specs.Interconnect.PCIE.value, "PCIe only"),
]

PARALLELISM_CHOICES = [
    (specs.Parallelism.TENSOR.value, "Tensor parallel"),
    (specs.Parallelism.PIPELINE.value, "Pipeline (layer split)"),
]


def slug_field() -> models.CharField:
    return models.CharField(
        max_length=SLUG_MAX_LENGTH,
        validators=[validate_catalog_slug],
        help_text="Stable public identifier; lowercase, hyphens and dots.",
    )


def _reject_non_positive(errors: dict[str, str], instance: models.Model, *names: str) -> None:
    for name in names:
        value = getattr(instance, name)
        if value is not None and value <= 0:
            errors[name] = "Must be greater than zero."


def _reject_outside_unit_interval(
    errors: dict[str, str], instance: models.Model, *names: str
) -> None:
    for name in names:
        value = getattr(instance, name)
        if value is not None and not 0 < value <= 1:
            errors[name] = "Must be a fraction above 0 and at most 1."


def _reject_negative(errors: dict[str, str], instance: models.Model, *names: str) -> None:
    for name in names:
        value = getattr(instance, name)
        if value is not None and value < 0:
            errors[name] = "Must not be negative."


def catalog_version_indexes(model: str) -> list[models.Index]:
    """Indexes that let calculator.catalog's version query (asked on every request)
    count active rows and find the newest edit without reading the table."""
    return [
        models.Index(fields=["is_active"], name=f"calc_{model}_active"),
        models.Index(fields=["updated_at"], name=f"calc_{model}_updated"),
    ]


class ActiveQuerySet(models.QuerySet):
    def active(self) -> ActiveQuerySet:
        return self.filter(is_active=True)


# Section: GPUs


class GpuType(models.Model):
    class Vendor(models.TextChoices):
        NVIDIA = "nvidia", "NVIDIA"
        AMD = "amd", "AMD"
        INTEL = "intel", "Intel"

    slug = slug_field()
    name = models.CharField(max_length=100)
    vendor = models.CharField(max_length=10, choices=Vendor.choices)

    memory_gb = models.FloatField(help_text="Memory as sold, decimal GB (10^9 bytes).")
    usable_memory_gib = models.FloatField(
        help_text="Total memory the driver reports, GiB (2^30 bytes)."
    )
    memory_type = models.CharField(max_length=30, blank=True)
    memory_bandwidth_gb_s = models.FloatField(
        null=True, blank=True, help_text="Peak memory bandwidth, GB/s (10^9 bytes/s)."
    )

    # Dense (no 2:4 sparsity) peak throughput. Empty: the chip has no such unit, or no
    # trustworthy figure was found (spec_notes says which).
    fp32_tflops = models.FloatField("FP32 TFLOPS", null=True, blank=True)
    tf32_tflops = models.FloatField("TF32 TFLOPS", null=True, blank=True)
    fp16_tflops = models.FloatField("FP16 TFLOPS", null=True, blank=True)
    fp16_acc16_tflops = models.FloatField(
        "FP16 TFLOPS, FP16 accumulate",
        null=True,
        blank=True,
        help_text="GeForce: twice fp16_tflops. Empty where it does not differ.",
    )
    bf16_tflops = models.FloatField("BF16 TFLOPS", null=True, blank=True)
    fp8_tflops = models.FloatField("FP8 TFLOPS", null=True, blank=True)
    int8_tops = models.FloatField("INT8 TOPS", null=True, blank=True)
    int4_tops = models.FloatField("INT4 TOPS", null=True, blank=True)
    fp4_tflops = models.FloatField("FP4 TFLOPS", null=True, blank=True)

    compute_efficiency = models.FloatField(
        null=True,
        blank=True,
        help_text="Measured share of peak tensor FLOPS a large GEMM reaches (microbenchmark);"
        " empty: the estimator's default.",
    )
    bandwidth_efficiency = models.FloatField(
        null=True,
        blank=True,
        help_text="Measured share of peak memory bandwidth a copy kernel reaches; empty: the "
        "estimator's default.",
    )
    interconnect = models.CharField(
        max_length=20, choices=INTERCONNECT_CHOICES, default=specs.Interconnect.PCIE.value
    )
    interconnect_gb_s = models.FloatField(
        default=0,
        help_text="GPU-to-GPU GB/s per GPU, both directions added; 0: PCIe only.",
    )
    pcie_gb_s = models.FloatField(
        default=32,
        help_text="Host link GB/s, ONE direction: Gen3/4/5 x16 = 16/32/64.",
    )
    tdp_w = models.PositiveIntegerField("TDP (W)", null=True, blank=True)

    hourly_price_usd = models.DecimalField(
        "Price per GPU-hour (USD)", max_digits=8, decimal_places=4, null=True, blank=True
    )
    price_source = models.TextField(blank=True)
    price_as_of = models.DateField(null=True, blank=True)

    datasheet_url = models.URLField(max_length=300, blank=True)
    spec_notes = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Offered in the calculator. Needs bandwidth and FP16 figures."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActiveQuerySet.as_manager()

    class Meta:
        indexes = catalog_version_indexes("gputype")
        ordering = ["vendor", "name"]
        verbose_name = "GPU type"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="calculator_gputype_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _reject_non_positive(
            errors,
            self,
            "memory_gb",
            "usable_memory_gib",
            "memory_bandwidth_gb_s",
            "fp32_tflops",
            "tf32_tflops",
            "fp16_tflops",
            "fp16_acc16_tflops",
            "bf16_tflops",
            "fp8_tflops",
            "int8_tops",
            "int4_tops",
            "fp4_tflops",
            "pcie_gb_s",
        )
        _reject_outside_unit_interval(errors, self, "compute_efficiency", "bandwidth_efficiency")
        _reject_negative(errors, self, "interconnect_gb_s", "hourly_price_usd")
        if self.hourly_price_usd is not None and self.price_as_of is None:
            errors["price_as_of"] = "A price needs the date it was valid on."
        if self.is_active:
            for name in ("memory_bandwidth_gb_s", "fp16_tflops"):
                if getattr(self, name) is None and name not in errors:
                    errors[name] = "An active GPU needs this figure; fill it in or deactivate."
        if errors:
            raise ValidationError(errors)

    def to_spec(self) -> specs.GpuSpec:
        if self.memory_bandwidth_gb_s is None:
            raise ValueError(f"GPU {self.slug!r} has no memory bandwidth figure.")
        return specs.GpuSpec(
            slug=self.slug,
            name=self.name,
            memory_gb=self.memory_gb,
            usable_memory_gib=self.usable_memory_gib,
            memory_bandwidth_gb_s=self.memory_bandwidth_gb_s,
            fp32_tflops=self.fp32_tflops,
            tf32_tflops=self.tf32_tflops,
            fp16_tflops=self.fp16_tflops,
            fp16_acc16_tflops=self.fp16_acc16_tflops,
            compute_efficiency=self.compute_efficiency,
            bandwidth_efficiency=self.bandwidth_efficiency,
            bf16_tflops=self.bf16_tflops,
            fp8_tflops=self.fp8_tflops,
            int8_tops=self.int8_tops,
            int4_tops=self.int4_tops,
            fp4_tflops=self.fp4_tflops,
            interconnect=specs.Interconnect(self.interconnect),
            interconnect_gb_s=self.interconnect_gb_s,
            pcie_gb_s=self.pcie_gb_s,
            hourly_usd=None if self.hourly_price_usd is None else float(self.hourly_price_usd),
        )


# Section: open-weight models


class LlmModel(models.Model):
    # The architecture's sizes, each a positive count a config.json gives.
    SIZE_FIELDS = (
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "num_kv_heads",
        "head_dim",
        "intermediate_size",
        "vocab_size",
        "max_context",
    )

    slug = slug_field()
    name = models.CharField(max_length=100)
    family = models.CharField(max_length=50, help_text="e.g. Llama 3.1, Qwen2.5.")
    hf_repo = models.CharField("Hugging Face repo", max_length=200, blank=True)

    hidden_size = models.PositiveIntegerField()
    num_layers = models.PositiveIntegerField()
    num_attention_heads = models.PositiveIntegerField()
    num_kv_heads = models.PositiveIntegerField("KV heads")
    head_dim = models.PositiveIntegerField()
    intermediate_size = models.PositiveIntegerField(
        help_text="Dense FFN width (Llama 4: intermediate_size_mlp)."
    )
    vocab_size = models.PositiveIntegerField()
    max_context = models.PositiveIntegerField(help_text="Tokens (max_position_embeddings).")
    tie_word_embeddings = models.BooleanField(default=False)
    qkv_bias = models.BooleanField("QKV bias", default=False)

    num_experts = models.PositiveIntegerField(default=0, help_text="0 for a dense model.")
    experts_per_token = models.PositiveIntegerField(default=0)
    moe_intermediate_size = models.PositiveIntegerField(
        "MoE intermediate size", default=0, help_text="Each routed expert's FFN width."
    )
    shared_experts = models.PositiveIntegerField(default=0)
    moe_layer_step = models.PositiveIntegerField(
        default=1, help_text="Every n-th layer is MoE (Llama 4 Maverick: 2)."
    )
    extra_params = models.BigIntegerField(
        default=0,
        help_text="Parameters in memory outside the text path (vision encoder).",
    )

    # Attention beyond every-layer-global grouped-query attention (see ModelSpec).
    attention_window = models.PositiveIntegerField(
        default=0,
        help_text="Tokens a local layer sees (window or chunk); 0: every layer global.",
    )
    local_layers = models.PositiveIntegerField(
        default=0, help_text="How many layers use that window (Gemma 3 27B: 52 of 62)."
    )
    chunked_attention = models.BooleanField(
        default=False, help_text="Local layers see their own chunk, not a sliding window (Llama 4)."
    )
    attention_sinks = models.BooleanField(
        default=False, help_text="A learned sink logit per head (gpt-oss)."
    )
    output_bias = models.BooleanField(
        default=False, help_text="Bias on the attention output projection (gpt-oss)."
    )
    qk_norm = models.BooleanField(
        "QK norm", default=False, help_text="RMSNorm on queries and keys (Qwen3, Gemma 3)."
    )
    extra_norms_per_layer = models.PositiveSmallIntegerField(
        default=0, help_text="Norms beyond the two pre-norms (Gemma 2/3: 2)."
    )
    kv_lora_rank = models.PositiveIntegerField(
        "KV LoRA rank", default=0, help_text="Latent attention (DeepSeek): cached latent width."
    )
    q_lora_rank = models.PositiveIntegerField("Q LoRA rank", default=0)
    qk_rope_head_dim = models.PositiveIntegerField("QK rope head dim", default=0)
    qk_nope_head_dim = models.PositiveIntegerField("QK no-rope head dim", default=0)
    v_head_dim = models.PositiveIntegerField("V head dim", default=0)
    first_dense_layers = models.PositiveIntegerField(
        default=0, help_text="The first n layers are dense (DeepSeek first_k_dense_replace)."
    )
    expert_bias = models.BooleanField(
        default=False, help_text="Biases in the experts and router (gpt-oss)."
    )
    expert_format = models.CharField(
        max_length=10,
        blank=True,
        choices=[("", "Same as the weights"), ("mxfp4", "MXFP4 (gpt-oss)")],
        help_text="The checkpoint's own format for its routed experts, if any.",
    )

    official_params = models.BigIntegerField(null=True, blank=True)
    official_params_source = models.TextField(blank=True)
    config_source = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActiveQuerySet.as_manager()

    class Meta:
        indexes = catalog_version_indexes("llmmodel")
        ordering = ["family", "name"]
        verbose_name = "LLM"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="calculator_llmmodel_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _reject_non_positive(errors, self, *self.SIZE_FIELDS, "moe_layer_step", "official_params")
        _reject_negative(errors, self, "extra_params")
        if self.attention_window and not 0 < self.local_layers <= (self.num_layers or 0):
            errors["local_layers"] = "A window needs the number of local layers (1 to all)."
        if self.local_layers and not self.attention_window:
            errors["attention_window"] = "Local layers need the window size."
        if self.kv_lora_rank and not (self.qk_rope_head_dim and self.v_head_dim):
            errors["kv_lora_rank"] = "Latent attention needs qk_rope_head_dim and v_head_dim."
        if self.num_experts:
            if not 0 < self.experts_per_token <= self.num_experts:
                errors["experts_per_token"] = "Must be between 1 and the number of experts."
            if not self.moe_intermediate_size:
                errors["moe_intermediate_size"] = "A mixture of experts needs the expert width."
        if errors:
            raise ValidationError(errors)

    def to_spec(self) -> specs.ModelSpec:
        return specs.ModelSpec(
            slug=self.slug,
            name=self.name,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            num_attention_heads=self.num_attention_heads,
            num_kv_heads=self.num_kv_heads,
            head_dim=self.head_dim,
            intermediate_size=self.intermediate_size,
            vocab_size=self.vocab_size,
            max_context=self.max_context,
            tie_word_embeddings=self.tie_word_embeddings,
            qkv_bias=self.qkv_bias,
            num_experts=self.num_experts,
            experts_per_token=self.experts_per_token,
            moe_intermediate_size=self.moe_intermediate_size,
            shared_experts=self.shared_experts,
            moe_layer_step=self.moe_layer_step,
            extra_params=self.extra_params,
            official_params=self.official_params,
            attention_window=self.attention_window,
            local_layers=self.local_layers,
            chunked_attention=self.chunked_attention,
            attention_sinks=self.attention_sinks,
            output_bias=self.output_bias,
            qk_norm=self.qk_norm,
            extra_norms_per_layer=self.extra_norms_per_layer,
            kv_lora_rank=self.kv_lora_rank,
            q_lora_rank=self.q_lora_rank,
            qk_rope_head_dim=self.qk_rope_head_dim,
            qk_nope_head_dim=self.qk_nope_head_dim,
            v_head_dim=self.v_head_dim,
            first_dense_layers=self.first_dense_layers,
            expert_bias=self.expert_bias,
            expert_format=self.expert_format,
        )


# Section: inference engines


class EngineProfile(models.Model):
    slug = slug_field()
    name = models.CharField(max_length=100)

    bandwidth_utilization = models.FloatField(
        help_text="Share of peak memory bandwidth reached reading weights and KV."
    )
    prefill_compute_utilization = models.FloatField(
        help_text="Share of dense peak FLOPS reached by prefill GEMMs."
    )
    decode_compute_utilization = models.FloatField(
        help_text="Share of dense peak FLOPS reached by decode GEMMs, large batch."
    )
    step_overhead_s = models.FloatField(help_text="Fixed cost of every decode step, seconds.")
    request_overhead_s = models.FloatField(
        help_text="Fixed cost of every request before its first token, seconds."
    )
    sequence_overhead_s = models.FloatField(
        default=0.0,
        help_text="Host-side cost of each sequence in a step (scheduling, sampling, "
        "detokenizing, streaming), seconds per sequence per step.",
    )
    memory_fraction = models.FloatField(help_text="Share of each GPU's memory the engine may use.")
    runtime_overhead_gib = models.FloatField(
        help_text="CUDA context, graphs and buffers per GPU, GiB."
    )
    max_batched_tokens = models.PositiveIntegerField(
        help_text="Largest number of tokens prefilled in one step."
    )
    max_num_seqs = models.PositiveIntegerField(
        help_text="Largest number of sequences decoded together."
    )
    pipelines_microbatches = models.BooleanField(
        default=True,
        help_text="Pipeline stages run different micro-batches at once.",
    )
    fp16_accumulate = models.BooleanField(
        "FP16 accumulate",
        default=False,
        help_text="Matrix products accumulate in FP16 (llama.cpp's cuBLAS calls).",
    )
    default_parallelism = models.CharField(
        max_length=10, choices=PARALLELISM_CHOICES, default=specs.Parallelism.TENSOR.value
    )
    source_notes = models.TextField(blank=True, help_text="Where each constant comes from.")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActiveQuerySet.as_manager()

    class Meta:
        indexes = catalog_version_indexes("engineprofile")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="calculator_engineprofile_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _reject_outside_unit_interval(
            errors,
            self,
            "bandwidth_utilization",
            "prefill_compute_utilization",
            "decode_compute_utilization",
            "memory_fraction",
        )
        _reject_negative(
            errors,
            self,
            "step_overhead_s",
            "request_overhead_s",
            "sequence_overhead_s",
            "runtime_overhead_gib",
        )
        _reject_non_positive(errors, self, "max_batched_tokens", "max_num_seqs")
        if errors:
            raise ValidationError(errors)

    def to_spec(self) -> specs.EngineSpec:
        return specs.EngineSpec(
            slug=self.slug,
            name=self.name,
            bandwidth_utilization=self.bandwidth_utilization,
            prefill_compute_utilization=self.prefill_compute_utilization,
            decode_compute_utilization=self.decode_compute_utilization,
            step_overhead_s=self.step_overhead_s,
            request_overhead_s=self.request_overhead_s,
            memory_fraction=self.memory_fraction,
            runtime_overhead_gib=self.runtime_overhead_gib,
            max_batched_tokens=self.max_batched_tokens,
            max_num_seqs=self.max_num_seqs,
            pipelines_microbatches=self.pipelines_microbatches,
            fp16_accumulate=self.fp16_accumulate,
            sequence_overhead_s=self.sequence_overhead_s,
        )


# Section: hosted APIs


# Upstream price maps name models with slashes, capitals, colons and "@" (LiteLLM's
# "fireworks_ai/accounts/fireworks/models/llama-v3p3-70b-instruct",
# "meta.llama3-3-70b-instruct-v1:0"); imported offerings keep that key as their slug.
validate_upstream_key = RegexValidator(r"^\S+\Z", "No spaces.")
UPSTREAM_KEY_MAX_LENGTH = 200


class ApiOffering(models.Model):
    slug = models.CharField(
        max_length=UPSTREAM_KEY_MAX_LENGTH,
        validators=[validate_upstream_key],
        help_text="Stable identifier: the upstream price map's key for imported rows.",
    )
    provider = models.CharField(max_length=50)
    name = models.CharField(max_length=UPSTREAM_KEY_MAX_LENGTH)
    api_model_id = models.CharField("API model id", max_length=UPSTREAM_KEY_MAX_LENGTH, blank=True)
    llm_model = models.ForeignKey(
        LlmModel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_offerings",
        help_text="The open model this API serves, if it is the same model (hosted Llama).",
    )
    # Six decimals: some providers price per token to five significant digits
    # (Databricks $1.50003 per 1M).
    input_usd_per_1m = models.DecimalField(
        "Input USD per 1M tokens", max_digits=14, decimal_places=6
    )
    output_usd_per_1m = models.DecimalField(
        "Output USD per 1M tokens", max_digits=14, decimal_places=6
    )
    cached_input_usd_per_1m = models.DecimalField(
        "Cached input USD per 1M tokens",
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Input tokens read from the provider's prompt cache (LiteLLM's "
        "cache_read_input_token_cost). Empty: none listed, so the input price.",
    )
    price_as_of = models.DateField(
        null=True, blank=True, help_text="Empty: the source did not say (shown as undated)."
    )
    price_source = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    is_reference = models.BooleanField(
        "closed reference model",
        default=False,
        help_text="A closed model kept as a yardstick (GPT, Claude, Gemini).",
    )
    is_deprecated = models.BooleanField(
        "deprecated",
        default=False,
        help_text="Gone from the price map, or past its end date.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActiveQuerySet.as_manager()

    class Meta:
        indexes = catalog_version_indexes("apioffering")
        ordering = ["provider", "name"]
        verbose_name = "API offering"
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="calculator_apioffering_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _reject_negative(errors, self, "input_usd_per_1m", "output_usd_per_1m")
        if errors:
            raise ValidationError(errors)

    def to_spec(self) -> specs.ApiOffering:
        return specs.ApiOffering(
            slug=self.slug,
            name=str(self),
            input_usd_per_1m=float(self.input_usd_per_1m),
            output_usd_per_1m=float(self.output_usd_per_1m),
            cached_input_usd_per_1m=None
            if self.cached_input_usd_per_1m is None
            else float(self.cached_input_usd_per_1m),
            reference=self.is_reference,
            deprecated=self.is_deprecated,
        )


# Section: cloud offers


PRICE_FLAG_CHOICES = [
    (pricing.PriceFlag.NONE.value, "list price"),
    (pricing.PriceFlag.FLOOR.value, "floor / reserve price"),
    (pricing.PriceFlag.AUCTION.value, "auction price"),
    (pricing.PriceFlag.MARKETPLACE.value, "marketplace listing"),
    (pricing.PriceFlag.UNVERIFIED.value, "unverified"),
]


class CloudOffer(models.Model):
    """One cloud's price for one instance shape of one GPU type."""

    gpu = models.ForeignKey(GpuType, on_delete=models.CASCADE, related_name="offers")
    provider = models.CharField(
        max_length=50, help_text="Lowercase, as SkyPilot names clouds: aws, gcp, lambda, runpod."
    )
    # Not "instance_type": django-simple-history's historical models use that name.
    instance_name = models.CharField("instance type", max_length=100)
    region = models.CharField(max_length=50, blank=True)
    gpus_per_instance = models.PositiveIntegerField()
    on_demand_usd_per_gpu_hour = models.DecimalField(
        "On-demand USD per GPU-hour", max_digits=10, decimal_places=4, null=True, blank=True
    )
    spot_usd_per_gpu_hour = models.DecimalField(
        "Spot USD per GPU-hour",
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Empty: no spot price.",
    )
    instance_on_demand_usd_per_hour = models.DecimalField(
        "On-demand USD per instance-hour", max_digits=12, decimal_places=5, null=True, blank=True
    )
    as_of = models.DateField(
        "as of", null=True, blank=True, help_text="Empty: the source did not say (undated)."
    )
    source = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # Not a list price one can rent at: never the default "cheapest" (pricing.py, rule 3).
    price_flag = models.CharField(
        "price flag",
        max_length=20,
        blank=True,
        default="",
        choices=PRICE_FLAG_CHOICES,
        help_text="Empty for a list price. Flagged offers are used only when their provider "
        "is picked, never as the default cheapest.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ActiveQuerySet.as_manager()

    class Meta:
        indexes = catalog_version_indexes("cloudoffer")
        ordering = ["gpu__slug", "provider", "gpus_per_instance", "region"]
        verbose_name = "cloud offer"
        constraints = [
            models.UniqueConstraint(
                fields=["gpu", "provider", "instance_name", "region"],
                name="calculator_cloudoffer_unique_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.instance_name} ({self.region or 'any region'})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _reject_non_positive(
            errors,
            self,
            "gpus_per_instance",
            "on_demand_usd_per_gpu_hour",
            "spot_usd_per_gpu_hour",
            "instance_on_demand_usd_per_hour",
        )
        if self.on_demand_usd_per_gpu_hour is None and self.spot_usd_per_gpu_hour is None:
            errors.setdefault("on_demand_usd_per_gpu_hour", "An offer needs a price.")
        if errors:
            raise ValidationError(errors)

    def to_spec(self) -> pricing.Offer:
        def number(value):
            return None if value is None else float(value)

        return pricing.Offer(
            provider=self.provider,
            instance_type=self.instance_name,
            region=self.region,
            gpus_per_instance=self.gpus_per_instance,
            on_demand_usd_per_gpu_hour=number(self.on_demand_usd_per_gpu_hour),
            spot_usd_per_gpu_hour=number(self.spot_usd_per_gpu_hour),
            as_of=self.as_of,
            source=self.source,
            notes=self.notes,
            flag=pricing.PriceFlag(self.price_flag),
        )
