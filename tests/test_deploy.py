"""Deploy recipes (calculator/deploy.py): the serve command and the Kubernetes manifest for
one plan option, every flag one the engine's parser defines."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from calculator import deploy as D
from calculator.estimator import planner as P
from calculator.estimator.specs import Dtype, Parallelism
from tests.estimator_fixtures import H100_SXM, LLAMA_3_8B, ROUND_ENGINE

# Section: the flags each engine's parser defines, transcribed by hand from its source.
# A flag the module emits that is not here (a typo, or one from another version) fails.

# vllm 0.33.0 from PyPI (vllm-0.33.0-cp38-abi3-manylinux_2_28_x86_64.whl, git 4ba787ec9
# per vllm/_version.py): vllm/engine/arg_utils.py, EngineArgs.add_cli_args (ModelConfig,
# ParallelConfig, CacheConfig and SchedulerConfig groups); --host and --port are FrontendArgs
# fields in vllm/entrypoints/common/cli_args.py.
VLLM_FLAGS = {
    "--host",
    "--port",
    "--model",
    "--tokenizer",
    "--tokenizer-mode",
    "--trust-remote-code",
    "--dtype",
    "--seed",
    "--revision",
    "--max-model-len",
    "--quantization",
    "--enforce-eager",
    "--served-model-name",
    "--hf-token",
    "--distributed-executor-backend",
    "--pipeline-parallel-size",
    "--tensor-parallel-size",
    "--data-parallel-size",
    "--enable-expert-parallel",
    "--block-size",
    "--gpu-memory-utilization",
    "--kv-cache-memory-bytes",
    "--kv-cache-dtype",
    "--num-gpu-blocks-override",
    "--enable-prefix-caching",
    "--cpu-offload-gb",
    "--max-num-batched-tokens",
    "--max-num-scheduled-tokens",
    "--max-num-seqs",
    "--enable-chunked-prefill",
    "--scheduling-policy",
    "--async-scheduling",
    # EngineArgs' speculative_config, a JSON object (vllm/config/speculative.py
    # SpeculativeConfig: method, model, num_speculative_tokens; vllm-project/vllm commit
    # 002e77c1).
    "--speculative-config",
}
# SpeculativeConfig.method values the recipes use (SpeculativeMethod, MTPModelTypes).
VLLM_SPECULATIVE_METHODS = {"draft_model", "eagle", "eagle3", "mtp", "ngram", "medusa"}
# vllm/config/cache.py CacheDType, first entries.
VLLM_KV_CACHE_DTYPES = {"auto", "float16", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2"}
# vllm/model_executor/layers/quantization/__init__.py QuantizationMethods, first entries.
VLLM_QUANTIZATIONS = {"awq", "auto_awq", "fp8", "fbgemm_fp8", "modelopt", "modelopt_fp4", "gptq"}
# vllm/config/model.py ModelDType.
VLLM_DTYPES = {"auto", "half", "float16", "bfloat16", "float", "float32"}

# sglang 0.5.23 from PyPI (sglang-0.5.23-cp312-cp312-manylinux_2_34_x86_64.whl): the fields
# of python/sglang/srt/arg_groups/fields/{model,parallel,schedule,serving}.py, each
# "--" + name with "_" as "-", plus its Arg(aliases=...) (arg_groups/arg_utils.py
# add_cli_args_from_dataclass).
SGLANG_FLAGS = {
    "--model-path",
    "--model",  # alias of --model-path
    "--tokenizer-path",
    "--trust-remote-code",
    "--context-length",
    "--revision",
    "--dtype",
    "--quantization",
    "--kv-cache-dtype",
    "--tp-size",
    "--tensor-parallel-size",  # alias of --tp-size
    "--pp-size",
    # Expert parallelism with DP attention, as SGLang's own DeepSeek launch commands and
    # tests pass them (sgl-project/sglang: --tp N --dp-size N --enable-dp-attention,
    # --ep-size N); not re-read from 0.5.23's arg_groups.
    "--dp-size",
    "--enable-dp-attention",
    "--ep-size",
    "--mem-fraction-static",
    "--max-running-requests",
    "--max-queued-requests",
    "--max-total-tokens",
    "--chunked-prefill-size",
    "--max-prefill-tokens",
    "--host",
    "--port",
    # arg_groups/fields/spec.py (sgl-project/sglang commit 015c8726): the Spec namespace.
    "--speculative-algorithm",
    "--speculative-draft-model-path",
    "--speculative-draft-model",  # alias of --speculative-draft-model-path
    "--speculative-num-steps",
    "--speculative-eagle-topk",
    "--speculative-num-draft-tokens",
}
# spec.py speculative_algorithm builtins.
SGLANG_SPECULATIVE_ALGORITHMS = {"EAGLE", "EAGLE3", "NEXTN", "STANDALONE", "NGRAM"}
# arg_groups/fields/model.py kv_cache_dtype choices (there is no plain "fp8").
SGLANG_KV_CACHE_DTYPES = {
    "auto",
    "fp8_e5m2",
    "fp8_e4m3",
    "mxfp8",
    "bf16",
    "bfloat16",
    "nvfp4",
    "fp4_mx_block16",
}
# arg_groups/choices.py QUANTIZATION_CHOICES, first entries.
SGLANG_QUANTIZATIONS = {"awq", "fp8", "mxfp8", "gptq", "gptq_marlin", "awq_marlin", "modelopt_fp4"}
# arg_groups/fields/model.py dtype choices.
SGLANG_DTYPES = {"auto", "half", "float16", "bfloat16", "float", "float32"}

# NVIDIA/TensorRT-LLM tensorrt_llm/commands/serve.py at commit
# 4c05a74891e4df8066f08ed4ce14b0972abe4e25: the click options of `serve` (its MODEL is a
# positional argument).
TRTLLM_FLAGS = {
    "--tokenizer",
    "--host",
    "--port",
    "--backend",
    "--log_level",
    "--max_beam_width",
    "--max_batch_size",
    "--max_num_tokens",
    "--max_seq_len",
    "--tp_size",
    "--pp_size",
    "--ep_size",
    "--cluster_size",
    "--gpus_per_node",
    "--kv_cache_free_gpu_memory_fraction",
    "--num_postprocess_workers",
    "--trust_remote_code",
    "--extra_llm_api_options",
    "--reasoning_parser",
    "--metadata_server_config_file",
    "--server_role",
    "--fail_fast_on_attention_window_too_large",
    "--disagg_cluster_uri",
    "--enable_chunked_prefill",
    "--media_io_kwargs",
}
TRTLLM_BACKENDS = {"pytorch", "tensorrt", "_autodeploy"}

# How each engine's server starts; the parser sees what follows.
PROGRAMS = {
    D.VLLM: ("vllm", "serve"),
    D.SGLANG: ("python3", "-m", "sglang.launch_server"),
    D.TENSORRT_LLM: ("trtllm-serve",),
}
FLAGS = {D.VLLM: VLLM_FLAGS, D.SGLANG: SGLANG_FLAGS, D.TENSORRT_LLM: TRTLLM_FLAGS}
CHOICES = {
    D.VLLM: {
        "--kv-cache-dtype": VLLM_KV_CACHE_DTYPES,
        "--quantization": VLLM_QUANTIZATIONS,
        "--dtype": VLLM_DTYPES,
    },
    D.SGLANG: {
        "--kv-cache-dtype": SGLANG_KV_CACHE_DTYPES,
        "--quantization": SGLANG_QUANTIZATIONS,
        "--dtype": SGLANG_DTYPES,
        "--speculative-algorithm": SGLANG_SPECULATIVE_ALGORITHMS,
    },
    D.TENSORRT_LLM: {"--backend": TRTLLM_BACKENDS},
}

# The example plan: Llama 3.1 70B on 2 x H100 at fp8, 2 replicas, vLLM, 2,000 + 300 tokens.
EXAMPLE = D.DeployInputs(
    engine=D.VLLM,
    model_name="Llama 3.1 70B",
    model_repo="meta-llama/Llama-3.1-70B-Instruct",
    gpu_vendor="nvidia",
    gpus_per_replica=2,
    replicas=2,
    weights=Dtype.FP8,
    kv=Dtype.FP8,
    max_model_len=D.max_model_len(2000, 300, 131_072),
    max_num_seqs=256,
    memory_fraction=0.9,
    token_budget=8192,
)
ENGINES = (D.VLLM, D.SGLANG, D.TENSORRT_LLM)
PLANNED_KV = (Dtype.FP32, Dtype.FP16, Dtype.BF16, Dtype.FP8, Dtype.INT8)
DNS_1035_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


def make(**changes) -> D.Recipe:
    return D.recipe(dataclasses.replace(EXAMPLE, **changes))


def shell_words(command: str) -> list[str]:
    """What a POSIX shell runs: line continuations joined, then split into words."""
    return shlex.split(command.replace("\\\n", ""))


def manifest(recipe: D.Recipe) -> tuple[dict, dict]:
    deployment, service = yaml.safe_load_all(recipe.kubernetes_yaml)
    return deployment, service


def container(deployment: dict) -> dict:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def flag_value(argv: tuple[str, ...], flag: str) -> str:
    return argv[argv.index(flag) + 1]


# Section: purity


def test_the_module_imports_nothing_from_django():
    tree = ast.parse(Path(D.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert not name.startswith("django"), name
            if name.startswith("calculator"):
                assert name.startswith("calculator.estimator"), name


# Section: the example plan


def test_the_example_plan_runs_vllm_on_two_gpus_at_fp8():
    recipe = D.recipe(EXAMPLE)
    assert recipe.available
    assert recipe.engine_version == "vLLM 0.33.0"
    assert recipe.command.startswith("vllm serve meta-llama/Llama-3.1-70B-Instruct")
    assert "--tensor-parallel-size 2" in recipe.command
    assert "--quantization fp8" in recipe.command
    assert "--kv-cache-dtype fp8" in recipe.command
    assert "--max-model-len 2300" in recipe.command
    assert "--max-num-seqs 256" in recipe.command
    assert "--gpu-memory-utilization 0.9" in recipe.command
    assert "--max-num-batched-tokens 8192" in recipe.command
    assert shell_words(recipe.command) == list(recipe.argv)


def test_the_example_manifest_parses_with_its_replicas_and_gpus():
    recipe = D.recipe(EXAMPLE)
    deployment, service = manifest(recipe)
    assert deployment["kind"] == "Deployment"
    assert deployment["spec"]["replicas"] == 2
    engine = container(deployment)
    assert engine["resources"]["limits"] == {"nvidia.com/gpu": 2}
    assert engine["image"] == "vllm/vllm-openai:v0.33.0"
    assert engine["command"] == list(recipe.argv)
    assert engine["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert engine["startupProbe"]["httpGet"]["path"] == "/health"
    (token,) = engine["env"]
    assert token["name"] == "HF_TOKEN"
    assert token["valueFrom"]["secretKeyRef"] == {"name": "hf-token", "key": "token"}
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["dshm"]["emptyDir"]["medium"] == "Memory"
    mounts = {m["name"]: m["mountPath"] for m in engine["volumeMounts"]}
    assert mounts["dshm"] == "/dev/shm"
    # The Service reaches the pods the Deployment makes, on the engine's port.
    assert service["kind"] == "Service"
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"] == labels == deployment["spec"]["selector"]["matchLabels"]
    (port,) = service["spec"]["ports"]
    assert port["port"] == engine["ports"][0]["containerPort"] == 8000
    assert DNS_1035_LABEL.match(service["metadata"]["name"])


def test_the_replicas_and_gpus_follow_the_plan():
    deployment, _ = manifest(make(replicas=7, gpus_per_replica=4))
    assert deployment["spec"]["replicas"] == 7
    assert container(deployment)["resources"]["limits"] == {"nvidia.com/gpu": 4}


def test_an_amd_gpu_gets_amd_gpus_and_the_rocm_image():
    recipe = make(gpu_vendor="amd", gpus_per_replica=1)
    engine = container(manifest(recipe)[0])
    assert engine["resources"]["limits"] == {"amd.com/gpu": 1}
    assert engine["image"] == "vllm/vllm-openai-rocm:v0.33.0"
    assert any("ROCm" in note for note in recipe.notes)
    sglang = container(manifest(make(engine=D.SGLANG, gpu_vendor="amd"))[0])
    assert "rocm" in sglang["image"]
    assert sglang["resources"]["limits"] == {"amd.com/gpu": 2}


def test_sglang_gets_its_own_launcher_and_flags():
    recipe = make(engine=D.SGLANG, memory_fraction=0.88, max_num_seqs=1024)
    assert recipe.engine_version == "SGLang 0.5.23"
    assert recipe.argv[:3] == ("python3", "-m", "sglang.launch_server")
    assert flag_value(recipe.argv, "--model-path") == "meta-llama/Llama-3.1-70B-Instruct"
    assert flag_value(recipe.argv, "--tp-size") == "2"
    assert flag_value(recipe.argv, "--context-length") == "2300"
    assert flag_value(recipe.argv, "--max-running-requests") == "1024"
    assert flag_value(recipe.argv, "--mem-fraction-static") == "0.88"
    assert flag_value(recipe.argv, "--kv-cache-dtype") == "fp8_e4m3"
    assert flag_value(recipe.argv, "--quantization") == "fp8"
    assert flag_value(recipe.argv, "--chunked-prefill-size") == "8192"
    assert container(manifest(recipe)[0])["image"] == "lmsysorg/sglang:v0.5.23"


def test_tensorrt_llm_gets_trtllm_serve_and_a_prequantized_checkpoint():
    recipe = make(engine=D.TENSORRT_LLM, max_num_seqs=2048)
    assert recipe.argv[0] == "trtllm-serve"
    assert flag_value(recipe.argv, "--tp_size") == "2"
    assert flag_value(recipe.argv, "--max_batch_size") == "2048"
    assert flag_value(recipe.argv, "--max_num_tokens") == "8192"
    assert flag_value(recipe.argv, "--max_seq_len") == "2300"
    assert flag_value(recipe.argv, "--kv_cache_free_gpu_memory_fraction") == "0.9"
    # trtllm-serve quantizes nothing as it loads: fp8 needs an FP8 checkpoint.
    assert recipe.argv[1].startswith("<fp8 checkpoint of meta-llama/Llama-3.1-70B-Instruct")
    assert any("pre-quantized FP8" in note for note in recipe.notes)
    assert container(manifest(recipe)[0])["image"].startswith("nvcr.io/nvidia/tensorrt-llm/")
    bf16 = make(engine=D.TENSORRT_LLM, weights=Dtype.BF16, kv=Dtype.BF16)
    assert bf16.argv[1] == "meta-llama/Llama-3.1-70B-Instruct"


def test_tensorrt_llm_on_amd_and_any_engine_on_intel_have_no_recipe():
    for recipe in (make(engine=D.TENSORRT_LLM, gpu_vendor="amd"), make(gpu_vendor="intel")):
        assert not recipe.available
        assert recipe.command == recipe.kubernetes_yaml == ""
        assert recipe.notes


@pytest.mark.parametrize("engine", [D.LLAMA_CPP, D.HF_TRANSFORMERS, "no-such-engine"])
def test_engines_without_a_recipe_say_so(engine):
    recipe = make(engine=engine)
    assert not recipe.available
    assert recipe.as_dict()["command"] is None
    assert recipe.as_dict()["kubernetes_yaml"] is None
    (why,) = recipe.notes
    assert "No recipe" in why


# Section: every flag is the engine's


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("weights", list(Dtype))
@pytest.mark.parametrize("kv", PLANNED_KV)
def test_every_flag_emitted_is_in_the_engines_parser(engine, weights, kv):
    for budget in (None, 4096):
        recipe = make(engine=engine, weights=weights, kv=kv, token_budget=budget)
        program = PROGRAMS[engine]
        assert recipe.argv[: len(program)] == program
        flags = [arg for arg in recipe.argv[len(program) :] if arg.startswith("-")]
        assert flags, recipe.argv
        assert set(flags) <= FLAGS[engine], set(flags) - FLAGS[engine]
        for flag, allowed in CHOICES[engine].items():
            if flag in recipe.argv:
                assert flag_value(recipe.argv, flag) in allowed
        # No flag is given twice (argparse would keep the last one silently).
        assert len(flags) == len(set(flags))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("method", ["draft", "eagle", "mtp"])
def test_speculative_flags_are_in_the_engines_parser(engine, method):
    recipe = make(engine=engine, speculative=method, num_speculative_tokens=3)
    program = PROGRAMS[engine]
    flags = [arg for arg in recipe.argv[len(program) :] if arg.startswith("-")]
    assert set(flags) <= FLAGS[engine], set(flags) - FLAGS[engine]
    assert len(flags) == len(set(flags))
    assert shell_words(recipe.command) == list(recipe.argv)
    if engine == D.VLLM:
        config = json.loads(flag_value(recipe.argv, "--speculative-config"))
        assert config["method"] in VLLM_SPECULATIVE_METHODS
        assert config["num_speculative_tokens"] == 3
        assert ("model" in config) == (method != "mtp")
    elif engine == D.SGLANG:
        assert flag_value(recipe.argv, "--speculative-algorithm") in SGLANG_SPECULATIVE_ALGORITHMS
        # A chain of 3 drafted tokens: 3 steps, one candidate each, 4 tokens verified.
        assert flag_value(recipe.argv, "--speculative-num-steps") == "3"
        assert flag_value(recipe.argv, "--speculative-eagle-topk") == "1"
        assert flag_value(recipe.argv, "--speculative-num-draft-tokens") == "4"
    else:
        assert any("--extra_llm_api_options" in note for note in recipe.notes)


def test_eagle_on_vllm_and_sglang_names_the_head_to_supply():
    vllm = make(speculative="eagle", num_speculative_tokens=3)
    config = json.loads(flag_value(vllm.argv, "--speculative-config"))
    assert config == {
        "method": "eagle",
        "model": "<EAGLE head trained for Llama 3.1 70B>",
        "num_speculative_tokens": 3,
    }
    assert any("EAGLE needs a draft head" in note for note in vllm.notes)
    sglang = make(engine=D.SGLANG, speculative="eagle", num_speculative_tokens=3)
    assert flag_value(sglang.argv, "--speculative-algorithm") == "EAGLE"
    assert flag_value(sglang.argv, "--speculative-draft-model-path").startswith("<EAGLE head")


def test_a_draft_model_is_named_by_its_repo_and_mtp_by_none():
    draft = make(
        engine=D.SGLANG, speculative="draft", num_speculative_tokens=4, draft_repo="a/b-1B"
    )
    assert flag_value(draft.argv, "--speculative-algorithm") == "STANDALONE"
    assert flag_value(draft.argv, "--speculative-draft-model-path") == "a/b-1B"
    mtp = make(engine=D.SGLANG, speculative="mtp", num_speculative_tokens=1)
    assert flag_value(mtp.argv, "--speculative-algorithm") == "NEXTN"
    assert "--speculative-draft-model-path" not in mtp.argv
    assert "--speculative" not in " ".join(make().argv)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"speculative": "beam"}, "speculative"),
        ({"speculative": "eagle", "num_speculative_tokens": 0}, "num_speculative_tokens"),
        ({"speculative": "draft", "num_speculative_tokens": 2, "draft_repo": "--x"}, "draft_repo"),
    ],
)
def test_bad_speculative_inputs_are_refused_by_field(changes, field):
    with pytest.raises(D.DeployInputError) as caught:
        dataclasses.replace(EXAMPLE, **changes)
    assert caught.value.field == field


@pytest.mark.parametrize("engine", ENGINES)
def test_expert_parallel_flags_are_in_the_engines_parser(engine):
    recipe = make(engine=engine, expert_parallel=True)
    program = PROGRAMS[engine]
    flags = [arg for arg in recipe.argv[len(program) :] if arg.startswith("-")]
    assert set(flags) <= FLAGS[engine], set(flags) - FLAGS[engine]
    assert len(flags) == len(set(flags))


def test_expert_parallelism_asks_vllm_for_dp_attention_and_ep():
    argv = make(expert_parallel=True).argv
    assert flag_value(argv, "--data-parallel-size") == "2"
    assert "--enable-expert-parallel" in argv
    assert "--tensor-parallel-size" not in argv
    assert "--enable-expert-parallel" not in make().argv


def test_expert_parallelism_asks_sglang_for_dp_attention_and_ep():
    argv = make(engine=D.SGLANG, expert_parallel=True).argv
    assert (flag_value(argv, "--dp-size"), flag_value(argv, "--ep-size")) == ("2", "2")
    assert flag_value(argv, "--tp-size") == "2"  # DP attention splits the TP group
    assert "--enable-dp-attention" in argv


def test_an_expert_parallel_option_gets_expert_parallel_inputs():
    assert D.for_option(
        option(parallelism=Parallelism.EXPERT),
        model=LLAMA_3_8B,
        engine=ROUND_ENGINE,
        traffic=P.Traffic.at_peak(1.0, 100, 10),
        model_repo="",
        gpu_vendor="nvidia",
    ).expert_parallel


def test_the_transcribed_lists_are_not_empty_and_differ_per_engine():
    # A guard on the guard: the lists hold the engines' own spellings.
    assert "--tensor-parallel-size" in VLLM_FLAGS and "--tp-size" not in VLLM_FLAGS
    assert "--tp_size" in TRTLLM_FLAGS and "--tensor-parallel-size" not in TRTLLM_FLAGS
    assert "fp8" not in SGLANG_KV_CACHE_DTYPES


# Section: weights and KV cache


def test_sixteen_bit_weights_set_the_dtype_and_quantize_nothing():
    recipe = make(weights=Dtype.BF16, kv=Dtype.BF16)
    assert flag_value(recipe.argv, "--dtype") == "bfloat16"
    assert flag_value(recipe.argv, "--kv-cache-dtype") == "auto"
    assert "--quantization" not in recipe.argv
    assert recipe.argv[2] == "meta-llama/Llama-3.1-70B-Instruct"
    assert flag_value(make(weights=Dtype.FP16, kv=Dtype.FP16).argv, "--dtype") == "float16"


@pytest.mark.parametrize(
    ("weights", "kind"), [(Dtype.INT4, "AWQ or GPTQ"), (Dtype.INT8, "W8A8"), (Dtype.FP4, "NVFP4")]
)
def test_precisions_no_engine_makes_on_the_fly_ask_for_a_checkpoint(weights, kind):
    recipe = make(weights=weights, kv=Dtype.FP16)
    model = recipe.argv[2]
    assert model == f"<{weights.value} checkpoint of meta-llama/Llama-3.1-70B-Instruct>"
    assert "--quantization" not in recipe.argv  # read from the checkpoint
    assert any(kind in note and "pre-quantized" in note for note in recipe.notes)


def test_an_int8_kv_cache_runs_as_fp8_and_says_so():
    recipe = make(weights=Dtype.INT8, kv=Dtype.INT8)
    assert flag_value(recipe.argv, "--kv-cache-dtype") == "fp8"
    assert any("int8 KV cache runs as fp8" in note for note in recipe.notes)
    sglang = make(engine=D.SGLANG, weights=Dtype.INT8, kv=Dtype.INT8)
    assert flag_value(sglang.argv, "--kv-cache-dtype") == "fp8_e4m3"


def test_no_token_budget_leaves_the_engines_default():
    assert "--max-num-batched-tokens" not in make(token_budget=None).argv
    assert "--chunked-prefill-size" not in make(engine=D.SGLANG, token_budget=None).argv
    assert "--max_num_tokens" not in make(engine=D.TENSORRT_LLM, token_budget=None).argv


# Section: the longest request


def test_the_longest_request_is_the_plans_capped_at_the_context():
    assert D.max_model_len(2000, 300, 131_072) == 2300
    assert D.max_model_len(4000, 500, 4096) == 4096
    recipe = make(max_model_len=D.max_model_len(4000, 500, 4096))
    assert flag_value(recipe.argv, "--max-model-len") == "4096"
    assert any("Longest request: 4,096 tokens" in note for note in recipe.notes)


# Section: custom models and user-provided text


def test_a_custom_model_gets_a_placeholder_and_a_note():
    recipe = make(model_repo="", model_name="My fine-tune", weights=Dtype.BF16, kv=Dtype.BF16)
    assert recipe.argv[2] == "<Hugging Face repo or local path of My fine-tune>"
    # Quoted, so a shell reads the placeholder as one word rather than a redirection.
    assert shell_words(recipe.command)[2] == recipe.argv[2]
    assert any("pasted config.json" in note for note in recipe.notes)
    deployment, _ = manifest(recipe)
    assert container(deployment)["command"][2] == recipe.argv[2]


HOSTILE_NAME = 'evil"\n  replicas: 99\n---\nkind: Pod # $(reboot) `id`; rm -rf / \u2028\u00e9'


def test_user_text_cannot_inject_shell_or_yaml():
    recipe = make(model_name=HOSTILE_NAME, model_repo="", weights=Dtype.BF16)
    # The shell runs exactly the argv, the placeholder naming the model as one word.
    assert shell_words(recipe.command) == list(recipe.argv)
    assert HOSTILE_NAME in recipe.argv[2]
    # The manifest is still one Deployment and one Service, with the plan's replicas,
    # and the text round-trips unchanged.
    docs = list(yaml.safe_load_all(recipe.kubernetes_yaml))
    assert [d["kind"] for d in docs] == ["Deployment", "Service"]
    deployment, service = docs
    assert deployment["spec"]["replicas"] == 2
    assert deployment["metadata"]["annotations"]["llm-inference-calculator/model"] == HOSTILE_NAME
    assert container(deployment)["command"] == list(recipe.argv)
    for name in (deployment["metadata"]["name"], service["metadata"]["name"]):
        assert DNS_1035_LABEL.match(name)


@pytest.mark.parametrize(
    "repo",
    [
        "--trust-remote-code",
        "-q",
        "org/model; rm -rf ~",
        "org/$(id)",
        "org/model\n--port",
        "../etc/passwd",
        "a/b/c",
        "org/ model",
    ],
)
def test_a_repo_id_that_could_read_as_a_flag_or_shell_is_refused(repo):
    with pytest.raises(D.DeployInputError) as raised:
        dataclasses.replace(EXAMPLE, model_repo=repo)
    assert raised.value.field == "model_repo"


@pytest.mark.parametrize("repo", ["meta-llama/Llama-3.1-70B-Instruct", "gpt2", "Qwen/Qwen3-8B"])
def test_repo_ids_are_accepted(repo):
    assert make(model_repo=repo).argv[2] == repo


@pytest.mark.parametrize(
    ("model_name", "engine", "expected"),
    [
        ("Llama 3.1 70B", D.VLLM, "llama-3-1-70b-vllm"),
        ("405B!", D.LLAMA_CPP, "llm-405b-llama-cpp"),
        ("", D.SGLANG, "model-sglang"),
        ("---", D.TENSORRT_LLM, "model-tensorrt-llm"),
        ("x" * 200, D.TENSORRT_LLM, "x" * 40 + "-tensorrt-llm"),
    ],
)
def test_kubernetes_names_are_dns_labels(model_name, engine, expected):
    name = D.kubernetes_name(model_name, engine)
    assert name == expected
    assert DNS_1035_LABEL.match(name)


# Section: bounds


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("model_name", "x" * (D.MAX_TEXT_CHARS + 1)),
        ("model_repo", "x" * (D.MAX_TEXT_CHARS + 1)),
        ("gpus_per_replica", 0),
        ("replicas", 0),
        ("max_model_len", 0),
        ("max_num_seqs", 0),
        ("token_budget", 0),
        ("memory_fraction", 0.0),
        ("memory_fraction", 1.5),
        ("port", 0),
        ("port", 70_000),
    ],
)
def test_inputs_out_of_bounds_are_refused_by_field(field, value):
    with pytest.raises(D.DeployInputError) as raised:
        dataclasses.replace(EXAMPLE, **{field: value})
    assert raised.value.field == field


def test_as_dict_carries_the_command_manifest_version_and_notes():
    recipe = D.recipe(EXAMPLE)
    data = recipe.as_dict()
    assert data["command"] == recipe.command
    assert data["argv"] == list(recipe.argv)
    assert data["kubernetes_yaml"] == recipe.kubernetes_yaml
    assert data["engine_version"] == "vLLM 0.33.0"
    assert data["image"] == "vllm/vllm-openai:v0.33.0"
    assert data["notes"] == list(recipe.notes)


# Section: from a planner option


def option(**changes) -> P.Option:
    values = {
        "gpu": H100_SXM.slug,
        "gpu_name": H100_SXM.name,
        "gpus_per_replica": 2,
        "weights": Dtype.FP8,
        "kv": Dtype.FP8,
        "engine": D.VLLM,
        "meets_targets": True,
        "reasons": (),
        "reason_codes": (),
        "max_rate_per_replica": 3.0,
        "replicas": 3,
        "ttft_s": 0.5,
        "tpot_s": 0.03,
        "usd_per_gpu_hour": 2.0,
        "usd_per_hour": 12.0,
        "usd_per_month": 8760.0,
        "usd_per_1m_tokens": 1.0,
        "price_source": "catalog",
        "tokens_per_second_per_gpu": 1000.0,
        "tokens_per_second_per_user": 30.0,
    }
    return P.Option(**{**values, **changes})


def test_a_planner_option_becomes_the_inputs_the_engine_needs():
    traffic = P.Traffic.at_peak(9.0, 2000, 300)
    inputs = D.for_option(
        option(),
        model=LLAMA_3_8B,
        engine=ROUND_ENGINE,
        traffic=traffic,
        model_repo="meta-llama/Llama-3.1-8B-Instruct",
        gpu_vendor="nvidia",
    )
    assert (inputs.gpus_per_replica, inputs.replicas) == (2, 3)
    assert (inputs.weights, inputs.kv) == (Dtype.FP8, Dtype.FP8)
    assert inputs.max_model_len == 2300
    assert inputs.max_num_seqs == ROUND_ENGINE.max_num_seqs
    assert inputs.memory_fraction == ROUND_ENGINE.memory_fraction
    assert inputs.token_budget == ROUND_ENGINE.max_batched_tokens
    assert inputs.model_name == LLAMA_3_8B.name
    # A request longer than the model's context is capped at it.
    long = P.Traffic.at_peak(1.0, LLAMA_3_8B.max_context, 500)
    capped = D.for_option(
        option(),
        model=LLAMA_3_8B,
        engine=ROUND_ENGINE,
        traffic=long,
        model_repo="",
        gpu_vendor="amd",
    )
    assert capped.max_model_len == LLAMA_3_8B.max_context


def test_an_option_that_misses_the_targets_still_gets_one_replica():
    missing = option(meets_targets=False, replicas=None)
    inputs = D.for_option(
        missing,
        model=LLAMA_3_8B,
        engine=ROUND_ENGINE,
        traffic=P.Traffic.at_peak(1.0, 100, 10),
        model_repo="",
        gpu_vendor="nvidia",
    )
    assert inputs.replicas == 1
