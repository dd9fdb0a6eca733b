"""What to run for one planned option: the engine's serve command and a Kubernetes manifest.

Pure Python, no Django (tests/test_deploy.py parses it to make sure): the answers layer
builds a ``DeployInputs`` from a plan option and a catalog row, and ``recipe()`` turns it
into a ``Recipe``. Everything here is string rendering; nothing is computed that the
planner did not already decide.

Every flag emitted is one the engine's own argument parser defines at the version named
in ``RELEASES`` (each with the file it was checked against); tests/test_deploy.py keeps
the flags transcribed from those parsers and fails on any flag not among them.

Anything that came from a user (a model name or repo from a pasted config.json) is
shell-quoted in the command and written as a double-quoted YAML scalar in the manifest,
so it cannot add a command or a YAML key.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, replace

from calculator.estimator import speculative
from calculator.estimator.planner import Option, Traffic
from calculator.estimator.specs import Dtype, EngineSpec, ModelSpec, Parallelism

# Section: engines and their releases


@dataclass(frozen=True)
class Release:
    """One engine release: the version the flags were checked against, and its images."""

    name: str
    version: str
    image: str  # the CUDA image (NVIDIA GPUs)
    rocm_image: str | None  # the ROCm image (AMD GPUs); None: the engine has none
    health_path: str  # answers 200 once the model is loaded
    source: str  # where the flags were read


VLLM = "vllm"
SGLANG = "sglang"
TENSORRT_LLM = "tensorrt-llm"
LLAMA_CPP = "llama.cpp"
HF_TRANSFORMERS = "hf-transformers"

RELEASES = {
    # vllm 0.33.0 from PyPI (vllm-0.33.0-cp38-abi3-manylinux_2_28_x86_64.whl, sha256
    # 4b6bdec4...; its vllm/_version.py names git commit 4ba787ec9): vllm/engine/arg_utils.py
    # (EngineArgs.add_cli_args), vllm/entrypoints/common/cli_args.py (FrontendArgs: --host,
    # --port), vllm/entrypoints/serve/instrumentator/health.py (GET /health). Images: the
    # vllm/vllm-openai:v<version> tags of docs.vllm.ai "Using Docker"; the ROCm image is
    # the vllm/vllm-openai-rocm repository vLLM's release pipeline pushes
    # (.buildkite/scripts/push-nightly-builds-rocm.sh).
    VLLM: Release(
        name="vLLM",
        version="0.33.0",
        image="vllm/vllm-openai:v0.33.0",
        rocm_image="vllm/vllm-openai-rocm:v0.33.0",
        health_path="/health",
        source="vllm 0.33.0 (git 4ba787ec9): vllm/engine/arg_utils.py",
    ),
    # sglang 0.5.23 from PyPI (sglang-0.5.23-cp312-cp312-manylinux_2_34_x86_64.whl, sha256
    # 8d257a31...): python/sglang/srt/arg_groups/fields/{model,parallel,schedule,serving}.py,
    # which server_args.py turns into flags (arg_groups/arg_utils.py: --field-name plus
    # each Arg's aliases); GET /health in srt/entrypoints/http_server.py. Images: Docker
    # Hub lmsysorg/sglang, v<version> (CUDA 13; docs/get-started/install.mdx), and the
    # ROCm tags -rocm<ROCm>-mi30x for MI300X/MI325X.
    SGLANG: Release(
        name="SGLang",
        version="0.5.23",
        image="lmsysorg/sglang:v0.5.23",
        rocm_image="lmsysorg/sglang:v0.5.23-rocm700-mi30x",
        health_path="/health",
        source="sglang 0.5.23: python/sglang/srt/arg_groups/fields/*.py",
    ),
    # TensorRT-LLM publishes no installable wheel on PyPI (its sdist is a stub), so the
    # flags were read from tensorrt_llm/commands/serve.py at commit
    # 4c05a74891e4df8066f08ed4ce14b0972abe4e25 (click options) and match the documented
    # options of 0.18.2 (nvidia.github.io/TensorRT-LLM/0.18.2/commands/trtllm-serve.html):
    # every flag emitted is in both, so in the 1.0.0 release between them. GET /health:
    # tensorrt_llm/serve/openai_server.py. Image: nvcr.io/nvidia/tensorrt-llm/release:1.0.0
    # (TensorRT-LLM 1.0.0 docs, "Run benchmarking with trtllm-serve"). NVIDIA GPUs only.
    TENSORRT_LLM: Release(
        name="TensorRT-LLM",
        version="1.0.0",
        image="nvcr.io/nvidia/tensorrt-llm/release:1.0.0",
        rocm_image=None,
        health_path="/health",
        source="TensorRT-LLM tensorrt_llm/commands/serve.py (commit 4c05a748)",
    ),
}

# Engines the planner knows but this module gives no recipe for, and why.
NO_RECIPE = {
    LLAMA_CPP: (
        "No recipe for llama.cpp: its server (llama-server) loads a GGUF file, which the "
        "plan's precisions do not name, and its flags were not checked here. Plan with vLLM "
        "or SGLang for a command."
    ),
    HF_TRANSFORMERS: (
        "No recipe for Hugging Face transformers: it is a library, not a server with "
        "continuous batching. Plan with vLLM or SGLang for a command."
    ),
}

# Section: limits and fixed choices

DEFAULT_PORT = 8000  # vLLM's and trtllm-serve's default; SGLang's (30000) is overridden
LISTEN_HOST = "0.0.0.0"  # in a container the engine must listen beyond loopback
MAX_TEXT_CHARS = 200  # a model name or repo id (LlmModel.hf_repo is max_length 200)
# A Hugging Face repo id, "namespace/name" or "name": letters, digits, '.', '_' and '-',
# each part starting with a letter or digit. Checked so that a repo can never read as a
# flag (a repo "--trust-remote-code" would be one to vLLM's parser, quoted or not).
REPO_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$")
# Kubernetes names are DNS-1035 labels: lower-case letters, digits and '-', starting with a
# letter, at most 63 characters. Room is left for the "-" + engine suffix.
K8S_NAME_CHARS = 40
# trtllm-serve sizes its KV cache as a share of the memory left after the weights
# (--kv_cache_free_gpu_memory_fraction), not of the whole GPU as vLLM and SGLang do. Its
# default, 0.9, is what the engine profile's memory_fraction (0.95 of the whole)
# approximates (calculator/migrations/0002_seed_catalog.py, tensorrt-llm source notes).
TRTLLM_KV_FREE_FRACTION = 0.9
# Loading a 70B checkpoint (download, then shards onto the GPUs) takes minutes; the
# startup probe allows this long before the pod is restarted. Assumption: 140 GB at
# ~200 MB/s from the Hub is about 12 minutes, doubled.
STARTUP_TIMEOUT_S = 1800
PROBE_PERIOD_S = 10
# /dev/shm for the tensor-parallel workers' shared memory (vLLM's Docker guide: --ipc=host
# or --shm-size). Assumption: 16 GiB, enough for NCCL's buffers at 8 GPUs.
SHM_SIZE = "16Gi"
HF_TOKEN_SECRET = "hf-token"  # kubectl create secret generic hf-token --from-literal=token=...
HF_TOKEN_KEY = "token"
HF_CACHE_PATH = "/root/.cache/huggingface"  # where the engines' images download weights

GPU_RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}


class DeployInputError(ValueError):
    """An input a recipe cannot be made from; ``field`` names the DeployInputs field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# Section: inputs


def max_model_len(prompt_tokens: int, completion_tokens: int, model_context: int) -> int:
    """The longest request the engine admits: the plan's prompt + completion, capped at
    the model's context.

    Not the model's whole context: vLLM refuses to start when its KV cache cannot hold one
    request of --max-model-len tokens, and the plan sized the cache (and the replicas) for
    requests of this length, not for 128k-token ones. Requests longer than this are
    refused by the engine; raise it if some prompts are much longer than the mean.
    """
    return max(1, min(prompt_tokens + completion_tokens, model_context))


@dataclass(frozen=True)
class DeployInputs:
    """One plan option, as the engine needs it.

    model_repo: the Hugging Face repo id (``LlmModel.hf_repo``); empty for a model from a
    pasted config.json, which gets a placeholder. max_model_len: see ``max_model_len()``.
    max_num_seqs: the sequences the plan's simulation decoded together at most.
    memory_fraction: the share of each GPU's memory the engine may use (the engine
    profile's). token_budget: tokens prefilled per step, when the plan assumed one.
    speculative: the plan's method (``speculative.Method``), drafting
    num_speculative_tokens a step; draft_repo: the draft model's repo (a draft model
    only; empty: a placeholder).
    """

    engine: str  # catalog slug: vllm, sglang, tensorrt-llm, llama.cpp, hf-transformers
    model_name: str
    model_repo: str
    gpu_vendor: str  # GpuType.vendor: nvidia, amd, intel
    gpus_per_replica: int
    replicas: int
    weights: Dtype
    kv: Dtype
    max_model_len: int
    max_num_seqs: int
    memory_fraction: float
    token_budget: int | None = None
    port: int = DEFAULT_PORT
    speculative: str = speculative.Method.NONE.value
    num_speculative_tokens: int = 0
    draft_repo: str = ""
    # Expert parallelism (estimator/expert.py): routed experts over the replica's GPUs,
    # attention data-parallel, instead of tensor parallelism.
    expert_parallel: bool = False

    def __post_init__(self) -> None:
        for name in ("model_name", "model_repo", "draft_repo"):
            if len(getattr(self, name)) > MAX_TEXT_CHARS:
                raise DeployInputError(name, f"At most {MAX_TEXT_CHARS} characters.")
        for name in ("model_repo", "draft_repo"):
            if getattr(self, name) and not REPO_ID.match(getattr(self, name)):
                raise DeployInputError(
                    name, "Not a Hugging Face repo id (namespace/name: letters, digits, . _ -)."
                )
        if self.speculative not in SPECULATIVE_METHODS:
            raise DeployInputError("speculative", f"One of {', '.join(SPECULATIVE_METHODS)}.")
        if self.speculative != speculative.Method.NONE and self.num_speculative_tokens < 1:
            raise DeployInputError("num_speculative_tokens", "Must be at least 1.")
        # The numbers are the plan's (the planner bounds GPUs per replica); the work here
        # does not grow with them, so only their sign is checked.
        for name in ("gpus_per_replica", "replicas", "max_model_len", "max_num_seqs"):
            if getattr(self, name) < 1:
                raise DeployInputError(name, "Must be at least 1.")
        if self.token_budget is not None and self.token_budget < 1:
            raise DeployInputError("token_budget", "Must be at least 1.")
        if not 0 < self.memory_fraction <= 1:
            raise DeployInputError("memory_fraction", "Must be above 0 and at most 1.")
        if not 1 <= self.port <= 65535:
            raise DeployInputError("port", "Must be from 1 to 65535.")


def for_option(
    option: Option,
    *,
    model: ModelSpec,
    engine: EngineSpec,
    traffic: Traffic,
    model_repo: str,
    gpu_vendor: str,
    speculation: speculative.Speculation | None = None,
    draft_repo: str = "",
) -> DeployInputs:
    """The inputs for one planner option: its GPUs, replicas and precisions, the engine
    profile's limits (what the simulation ran with), the plan's longest request and its
    speculative decoding (``speculative.of`` the plan's traffic: the method's defaults
    filled). model_repo is the catalog row's ``hf_repo`` ("" for a pasted config.json),
    and draft_repo the draft model's; gpu_vendor the GPU row's ``vendor``. An option
    with no replica count (it misses the targets) is given one replica."""
    spec = speculation  # None: no speculative decoding
    return DeployInputs(
        engine=option.engine,
        model_name=model.name,
        model_repo=model_repo,
        gpu_vendor=gpu_vendor,
        gpus_per_replica=option.gpus_per_replica,
        replicas=option.replicas or 1,
        weights=option.weights,
        kv=option.kv,
        max_model_len=max_model_len(
            traffic.prompt_tokens, traffic.completion_tokens, model.max_context
        ),
        max_num_seqs=engine.max_num_seqs,
        memory_fraction=engine.memory_fraction,
        token_budget=engine.max_batched_tokens,
        speculative=spec.method.value if spec else speculative.Method.NONE.value,
        num_speculative_tokens=spec.tokens if spec else 0,
        draft_repo=draft_repo if spec and spec.method is speculative.Method.DRAFT else "",
        expert_parallel=option.parallelism is Parallelism.EXPERT,
    )


# Section: disaggregated prefill/decode, one recipe a pool

# SGLang's PD disaggregation (docs/advanced_features/pd_disaggregation.md in
# sgl-project/sglang: launch_server --disaggregation-mode prefill|decode, a transfer
# backend, and sglang.srt.disaggregation.mini_lb or the router in front); vLLM's is a KV
# connector given with --kv-transfer-config. Not in the commands: the flags were not
# checked against the parsers of the releases above, so they are notes to apply.
PD_NOTES = {
    SGLANG: "Add --disaggregation-mode prefill to the prefill pool's command and "
    "--disaggregation-mode decode to the decode pool's (with --disaggregation-transfer-backend "
    "mooncake or nixl), and put SGLang's router or sglang.srt.disaggregation.mini_lb in front "
    "(SGLang docs, PD Disaggregation).",
    VLLM: "vLLM disaggregates with a KV connector: give both pools --kv-transfer-config "
    "(e.g. NixlConnector, kv_role kv_both) and a proxy in front, or deploy the pools with "
    "NVIDIA Dynamo or llm-d.",
}


def pool_option(option: Option, pool) -> Option:
    """A disaggregated option's pool as an option of its own (its GPU, size, replicas)."""
    return replace(
        option,
        gpu=pool.gpu,
        gpu_name=pool.gpu_name,
        gpus_per_replica=pool.gpus_per_replica,
        replicas=pool.replicas,
        pools=None,
    )


def pools_recipe(prefill: dict, decode: dict, prefill_pool, decode_pool) -> dict:
    """The two pools' recipes (``Recipe.as_dict()``) as one, each command and manifest
    headed by the pool it runs."""

    def head(name: str, pool) -> str:
        return (
            f"# {name} pool: {pool.replicas} x {pool.gpus_per_replica} x {pool.gpu_name} "
            f"{pool.weights}"
        )

    if not prefill["command"] or not decode["command"]:
        return prefill  # no recipe for this engine or GPU: its reason
    engine = prefill["engine"]
    notes = [PD_NOTES.get(engine, f"{engine} has no PD disaggregation recipe here.")]
    notes += [n for n in prefill["notes"] + decode["notes"] if n not in notes]
    return {
        **prefill,
        "command": f"{head('Prefill', prefill_pool)}\n{prefill['command']}\n\n"
        f"{head('Decode', decode_pool)}\n{decode['command']}",
        "kubernetes_yaml": f"{head('Prefill', prefill_pool)}\n{prefill['kubernetes_yaml']}\n---\n"
        f"{head('Decode', decode_pool)}\n{decode['kubernetes_yaml']}"
        if prefill["kubernetes_yaml"] and decode["kubernetes_yaml"]
        else None,
        "notes": notes,
        "pools": {"prefill": prefill, "decode": decode},
    }


# Section: the recipe


@dataclass(frozen=True)
class Recipe:
    engine: str  # the slug asked for
    engine_version: str  # e.g. "vLLM 0.33.0"; empty when there is no recipe
    argv: tuple[str, ...]  # the command, one argument each (empty: no recipe)
    image: str
    notes: tuple[str, ...]  # what the user must check or supply
    kubernetes_yaml: str  # empty: no recipe

    @property
    def available(self) -> bool:
        return bool(self.argv)

    @property
    def command(self) -> str:
        """The command for a shell, one flag and its value per line."""
        return _shell(self.argv)

    def as_dict(self) -> dict:
        return {
            "engine": self.engine,
            "engine_version": self.engine_version or None,
            "image": self.image or None,
            "command": self.command or None,
            "argv": list(self.argv),
            "kubernetes_yaml": self.kubernetes_yaml or None,
            "notes": list(self.notes),
        }


def recipe(inputs: DeployInputs) -> Recipe:
    """What to run for one plan option: the command, the manifest, and what to check."""
    if inputs.engine in NO_RECIPE:
        return _none(inputs.engine, NO_RECIPE[inputs.engine])
    release = RELEASES.get(inputs.engine)
    if release is None:
        return _none(inputs.engine, f"No recipe for the engine {inputs.engine!r}.")
    resource = GPU_RESOURCE.get(inputs.gpu_vendor)
    if resource is None:
        return _none(
            inputs.engine,
            f"No recipe for {inputs.gpu_vendor or 'these'} GPUs: {release.name}'s images "
            "here are for NVIDIA (CUDA) and AMD (ROCm) GPUs.",
        )
    image = release.image if inputs.gpu_vendor == "nvidia" else release.rocm_image
    if image is None:
        return _none(inputs.engine, f"{release.name} runs on NVIDIA GPUs only.")
    argv, notes = _BUILDERS[inputs.engine](inputs)
    notes += _common_notes(inputs, release, image)
    return Recipe(
        engine=inputs.engine,
        engine_version=f"{release.name} {release.version}",
        argv=tuple(argv),
        image=image,
        notes=tuple(notes),
        kubernetes_yaml=_manifest(inputs, release, image, resource, argv),
    )


def _none(engine: str, why: str) -> Recipe:
    return Recipe(
        engine=engine, engine_version="", argv=(), image="", notes=(why,), kubernetes_yaml=""
    )


# Section: weights and KV cache per engine

SIXTEEN_BIT = {Dtype.FP16: "float16", Dtype.BF16: "bfloat16", Dtype.FP32: "float32"}

# What a pre-quantized checkpoint must hold, for precisions no engine makes on the fly.
CHECKPOINT_KIND = {
    Dtype.FP8: "FP8",
    Dtype.INT8: "INT8 W8A8 (e.g. made with llm-compressor)",
    Dtype.INT4: "INT4 AWQ or GPTQ",
    Dtype.FP4: "FP4 (NVFP4 on NVIDIA, e.g. made with NVIDIA ModelOpt; MXFP4 on AMD)",
}

# --kv-cache-dtype values per engine, from each parser's choices. Missing: the engine has
# no cache of that type at this version (an int8 cache is served as fp8: one byte a value,
# so the cache holds the tokens the plan counted on).
KV_CACHE_DTYPE = {
    VLLM: {  # vllm/config/cache.py CacheDType
        Dtype.FP32: "auto",
        Dtype.FP16: "auto",
        Dtype.BF16: "auto",
        Dtype.FP8: "fp8",
        Dtype.INT8: "fp8",
    },
    SGLANG: {  # arg_groups/fields/model.py kv_cache_dtype choices (no plain "fp8")
        Dtype.FP32: "auto",
        Dtype.FP16: "auto",
        Dtype.BF16: "auto",
        Dtype.FP8: "fp8_e4m3",
        Dtype.INT8: "fp8_e4m3",
    },
}


def _model_arg(inputs: DeployInputs, on_the_fly: frozenset[Dtype]) -> tuple[str, list[str]]:
    """The model to load: the repo id, or a placeholder for what the user must supply."""
    notes = []
    if not inputs.model_repo:
        base = f"<Hugging Face repo or local path of {inputs.model_name or 'your model'}>"
        notes.append(
            "This model came from a pasted config.json, so there is no repo id: replace the "
            "placeholder with its Hugging Face repo or a local path holding its weights."
        )
    else:
        base = inputs.model_repo
    if inputs.weights in SIXTEEN_BIT or inputs.weights in on_the_fly:
        return base, notes
    kind = CHECKPOINT_KIND[inputs.weights]
    notes.append(
        f"The plan runs {inputs.weights.value} weights, which the engine does not make on the "
        f"fly: supply a pre-quantized {kind} checkpoint of the model and put its repo or path "
        "in place of the placeholder. The engine reads the quantization from the "
        "checkpoint's config."
    )
    name = inputs.model_repo or inputs.model_name or "your model"
    return f"<{inputs.weights.value} checkpoint of {name}>", notes


def _kv_flag(engine: str, flag: str, kv: Dtype) -> tuple[list[str], list[str]]:
    value = KV_CACHE_DTYPE[engine].get(kv)
    if value is None:
        return [flag, "auto"], [
            f"{RELEASES[engine].name} has no {kv.value} KV cache: it runs at the model's "
            "16-bit type, which holds fewer tokens than the plan counted on."
        ]
    notes = []
    if kv is Dtype.INT8:
        notes.append(
            f"The plan's int8 KV cache runs as {value} (one byte a value, the same size): "
            f"{RELEASES[engine].name} has no plain int8 cache."
        )
    return [flag, value], notes


def _precision_flags(
    engine: str, inputs: DeployInputs, fp8_note: str
) -> tuple[list[str], list[str]]:
    """The KV-cache type, weight type and on-the-fly FP8 flags, named alike in vLLM and
    SGLang, and what to know about them."""
    argv, notes = _kv_flag(engine, "--kv-cache-dtype", inputs.kv)
    if inputs.weights in SIXTEEN_BIT:
        argv += ["--dtype", SIXTEEN_BIT[inputs.weights]]
    elif inputs.weights is Dtype.FP8:
        argv += ["--quantization", "fp8"]
        notes.append(fp8_note)
    return argv, notes


# Section: commands


def _vllm(inputs: DeployInputs) -> tuple[list[str], list[str]]:
    model, notes = _model_arg(inputs, on_the_fly=frozenset({Dtype.FP8}))
    argv = ["vllm", "serve", model, "--host", LISTEN_HOST, "--port", str(inputs.port)]
    if inputs.expert_parallel:
        # vLLM's data-parallel deployment guide: attention data-parallel over the GPUs,
        # the experts split across them (vllm/engine/arg_utils.py).
        argv += ["--data-parallel-size", str(inputs.gpus_per_replica), "--enable-expert-parallel"]
    else:
        argv += ["--tensor-parallel-size", str(inputs.gpus_per_replica)]
    argv += ["--max-model-len", str(inputs.max_model_len)]
    argv += ["--max-num-seqs", str(inputs.max_num_seqs)]
    argv += ["--gpu-memory-utilization", _fraction(inputs.memory_fraction)]
    flags, flag_notes = _precision_flags(
        VLLM,
        inputs,
        fp8_note="--quantization fp8 quantizes the 16-bit checkpoint to FP8 as it loads "
        "(dynamic scales). A pre-quantized FP8 checkpoint works too: then drop the flag, "
        "vLLM reads the quantization from the checkpoint.",
    )
    argv += flags
    notes += flag_notes
    if inputs.token_budget is not None:
        argv += ["--max-num-batched-tokens", str(inputs.token_budget)]
    flags, flag_notes = _speculative_flags(VLLM, inputs)
    return argv + flags, notes + flag_notes


def _sglang(inputs: DeployInputs) -> tuple[list[str], list[str]]:
    model, notes = _model_arg(inputs, on_the_fly=frozenset({Dtype.FP8}))
    argv = ["python3", "-m", "sglang.launch_server", "--model-path", model]
    argv += ["--host", LISTEN_HOST, "--port", str(inputs.port)]
    argv += ["--tp-size", str(inputs.gpus_per_replica)]
    if inputs.expert_parallel:
        # SGLang's DP attention with the experts split over the same GPUs
        # (python/sglang/srt/server_args.py).
        n = str(inputs.gpus_per_replica)
        argv += ["--enable-dp-attention", "--dp-size", n, "--ep-size", n]
    argv += ["--context-length", str(inputs.max_model_len)]
    argv += ["--max-running-requests", str(inputs.max_num_seqs)]
    argv += ["--mem-fraction-static", _fraction(inputs.memory_fraction)]
    flags, flag_notes = _precision_flags(
        SGLANG,
        inputs,
        fp8_note="--quantization fp8 quantizes the 16-bit checkpoint to FP8 as it loads. "
        "With a pre-quantized FP8 checkpoint, drop the flag.",
    )
    argv += flags
    notes += flag_notes
    if inputs.token_budget is not None:
        argv += ["--chunked-prefill-size", str(inputs.token_budget)]
    flags, flag_notes = _speculative_flags(SGLANG, inputs)
    return argv + flags, notes + flag_notes


def _trtllm(inputs: DeployInputs) -> tuple[list[str], list[str]]:
    model, notes = _model_arg(inputs, on_the_fly=frozenset())
    argv = ["trtllm-serve", model, "--host", LISTEN_HOST, "--port", str(inputs.port)]
    argv += ["--backend", "pytorch"]
    argv += ["--tp_size", str(inputs.gpus_per_replica)]
    if inputs.expert_parallel:
        argv += ["--ep_size", str(inputs.gpus_per_replica)]
        notes.append(
            "The plan assumed attention data-parallel across the GPUs: set "
            "enable_attention_dp: true in a YAML given as --extra_llm_api_options."
        )
    argv += ["--max_seq_len", str(inputs.max_model_len)]
    argv += ["--max_batch_size", str(inputs.max_num_seqs)]
    if inputs.token_budget is not None:
        argv += ["--max_num_tokens", str(inputs.token_budget)]
    argv += ["--kv_cache_free_gpu_memory_fraction", _fraction(TRTLLM_KV_FREE_FRACTION)]
    notes.append(
        "trtllm-serve gives the KV cache a share of the memory left after the weights "
        f"({TRTLLM_KV_FREE_FRACTION}, its default), not of the whole GPU; the plan's engine "
        "profile approximates that."
    )
    if inputs.weights in SIXTEEN_BIT:
        notes.append(
            "trtllm-serve runs a 16-bit checkpoint in its own type (it has no dtype flag)."
        )
    if inputs.kv not in SIXTEEN_BIT:
        notes.append(
            f"trtllm-serve has no KV-cache type flag: the plan's {inputs.kv.value} KV cache "
            "comes with a checkpoint whose quantization config quantizes the KV cache "
            "(NVIDIA ModelOpt's FP8 KV)."
        )
    if inputs.speculative != speculative.Method.NONE:
        notes.append(
            f"The plan drafts {inputs.num_speculative_tokens} token(s) a step "
            f"({inputs.speculative}): trtllm-serve takes speculative decoding from a YAML "
            "file (--extra_llm_api_options, its speculative_config), not written here."
        )
    return argv, notes


_BUILDERS = {VLLM: _vllm, SGLANG: _sglang, TENSORRT_LLM: _trtllm}


# Section: speculative decoding

SPECULATIVE_METHODS = tuple(m.value for m in speculative.Method)
# vLLM's --speculative-config "method" (vllm/config/speculative.py SpeculativeMethod:
# "draft_model", "eagle", and "mtp" among MTPModelTypes; checked at vllm-project/vllm
# commit 002e77c1) and SGLang's --speculative-algorithm (arg_groups/fields/spec.py:
# builtins EAGLE, NEXTN (MTP), STANDALONE (a smaller draft LLM); docs.sglang.io
# "Speculative Decoding").
VLLM_METHOD = {"draft": "draft_model", "eagle": "eagle", "mtp": "mtp"}
SGLANG_ALGORITHM = {"draft": "STANDALONE", "eagle": "EAGLE", "mtp": "NEXTN"}


def _drafter(inputs: DeployInputs) -> tuple[str | None, list[str]]:
    """The drafter's weights to name (None: the model's own MTP layers), and notes."""
    method = inputs.speculative
    if method == speculative.Method.MTP:
        return None, [
            "MTP drafts with the model's own multi-token-prediction layers: the checkpoint "
            "must ship them (DeepSeek-V3/R1, some Qwen3)."
        ]
    if method == speculative.Method.EAGLE:
        return f"<EAGLE head trained for {inputs.model_name or 'your model'}>", [
            "EAGLE needs a draft head trained for this very model: put its Hugging Face "
            "repo or path in place of the placeholder."
        ]
    if inputs.draft_repo:
        return inputs.draft_repo, []
    return "<Hugging Face repo or local path of the draft model>", [
        "The draft model has no repo id here: replace the placeholder with its Hugging "
        "Face repo or a local path."
    ]


def _speculative_flags(engine: str, inputs: DeployInputs) -> tuple[list[str], list[str]]:
    """The engine's speculative-decoding flags for the plan's method, drafting
    num_speculative_tokens a step in a chain (one candidate each: what the plan
    modelled); none without speculative decoding."""
    if inputs.speculative == speculative.Method.NONE:
        return [], []
    drafter, notes = _drafter(inputs)
    k = inputs.num_speculative_tokens
    if engine == VLLM:
        config = {"method": VLLM_METHOD[inputs.speculative]}
        if drafter is not None:
            config["model"] = drafter
        config["num_speculative_tokens"] = k
        return ["--speculative-config", json.dumps(config)], notes
    argv = ["--speculative-algorithm", SGLANG_ALGORITHM[inputs.speculative]]
    if drafter is not None:
        argv += ["--speculative-draft-model-path", drafter]
    argv += ["--speculative-num-steps", str(k), "--speculative-eagle-topk", "1"]
    argv += ["--speculative-num-draft-tokens", str(k + 1)]
    return argv, notes


def _fraction(value: float) -> str:
    """A share as the shortest decimal that reads back the same (0.9, not 0.90000001)."""
    return repr(round(value, 4))


def _shell(argv: tuple[str, ...] | list[str]) -> str:
    """The command quoted for a POSIX shell: the program and its positional arguments on
    the first line, then one flag (with its value) per continued line."""
    if not argv:
        return ""
    lines: list[list[str]] = [[]]
    for arg in argv:
        if arg.startswith("--") and lines[-1]:
            lines.append([])
        lines[-1].append(shlex.quote(arg))
    return " \\\n    ".join(" ".join(line) for line in lines)


# Section: notes


def _common_notes(inputs: DeployInputs, release: Release, image: str) -> list[str]:
    notes = [
        f"Longest request: {inputs.max_model_len:,} tokens, the plan's prompt + completion "
        "(capped at the model's context). The engine refuses longer ones; raise it if "
        "prompts vary widely and the KV cache allows.",
        f"Flags checked against {release.source}; the image is {image}. Pin the same "
        "version if you use another image.",
        f"Kubernetes: create the Secret first (kubectl create secret generic "
        f"{HF_TOKEN_SECRET} --from-literal={HF_TOKEN_KEY}=<your Hugging Face token>); gated "
        "models such as Llama need their licence accepted on the Hub.",
        "Kubernetes: weights download into an emptyDir on every start; mount a "
        f"PersistentVolumeClaim at {HF_CACHE_PATH} to keep them, and add a nodeSelector for "
        "the GPU type the plan chose.",
    ]
    if inputs.gpu_vendor == "amd":
        notes.append(
            f"AMD: the ROCm image tag ({image}) names a ROCm version and GPU family; check it "
            "matches your nodes' driver. amd.com/gpu needs AMD's Kubernetes device plugin."
        )
    if inputs.replicas > 1:
        notes.append(
            f"{inputs.replicas} replicas behind one Service: Kubernetes spreads connections "
            "across them, not requests by load; a long-lived client connection stays on one "
            "replica."
        )
    return notes


# Section: the Kubernetes manifest


def kubernetes_name(model_name: str, engine: str) -> str:
    """A DNS-1035 label (what Services need) from the model's name and the engine."""
    base = re.sub(r"[^a-z0-9]+", "-", model_name.lower()).strip("-")[:K8S_NAME_CHARS]
    base = base.strip("-") or "model"
    if not base[0].isalpha():
        base = f"llm-{base}"
    suffix = re.sub(r"[^a-z0-9]+", "-", engine.lower()).strip("-")
    return f"{base}-{suffix}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is valid YAML, and with
    ensure_ascii every character outside printable ASCII is an escape, so no value can
    end the scalar, start a line or carry a character YAML rejects."""
    return json.dumps(text, ensure_ascii=True)


def _manifest(
    inputs: DeployInputs, release: Release, image: str, resource: str, argv: list[str]
) -> str:
    name = kubernetes_name(inputs.model_name, inputs.engine)
    n = inputs.gpus_per_replica
    health = release.health_path
    startup_failures = STARTUP_TIMEOUT_S // PROBE_PERIOD_S
    args = "\n".join(f"            - {_q(arg)}" for arg in argv)
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {_q(name)}
  labels:
    app.kubernetes.io/name: {_q(name)}
  annotations:
    llm-inference-calculator/model: {_q(inputs.model_name)}
    llm-inference-calculator/engine: {_q(f"{release.name} {release.version}")}
spec:
  replicas: {inputs.replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {_q(name)}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {_q(name)}
    spec:
      containers:
        - name: engine
          image: {_q(image)}
          command:
{args}
          ports:
            - name: http
              containerPort: {inputs.port}
          env:
            - name: HF_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {_q(HF_TOKEN_SECRET)}
                  key: {_q(HF_TOKEN_KEY)}
          resources:
            limits:
              {resource}: {n}
          startupProbe:
            httpGet:
              path: {_q(health)}
              port: http
            periodSeconds: {PROBE_PERIOD_S}
            failureThreshold: {startup_failures}
          readinessProbe:
            httpGet:
              path: {_q(health)}
              port: http
            periodSeconds: {PROBE_PERIOD_S}
            failureThreshold: 3
          volumeMounts:
            - name: dshm
              mountPath: /dev/shm
            - name: model-cache
              mountPath: {_q(HF_CACHE_PATH)}
      volumes:
        - name: dshm
          emptyDir:
            medium: Memory
            sizeLimit: {_q(SHM_SIZE)}
        - name: model-cache
          emptyDir: {{}}
---
apiVersion: v1
kind: Service
metadata:
  name: {_q(name)}
spec:
  selector:
    app.kubernetes.io/name: {_q(name)}
  ports:
    - name: http
      port: {inputs.port}
      targetPort: http
"""


__all__ = [
    "DEFAULT_PORT",
    "RELEASES",
    "DeployInputError",
    "DeployInputs",
    "Recipe",
    "Release",
    "for_option",
    "kubernetes_name",
    "max_model_len",
    "recipe",
]
