# ruff: noqa: E501 (the seed rows are the CSV lines as they are)
"""Seed the cloud offers from data/gpu_offers.csv (SkyPilot's public price catalog).

Every row of the file, written out here so that this migration never depends on code
or files that change later. ``as_of`` is unknown for every row (the catalog commits'
dates could not be read: see data/README.md, gpu_offers.csv), so it is stored as NULL
and shown as "undated"; an admin import sets real dates. Per-GPU prices are the
instance price / GPU count (derived, 4 decimals); an empty spot price means none.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

SOURCE_AWS = "skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv @ 001367d22a0033fac286a8c71aeac7109e431bcb"
SOURCE_CUDO = "skypilot-org/skypilot-catalog catalogs/v7/cudo/vms.csv @ 16f33dd5f241850aaba3ac8aa1050e8ca7db4a7f"
SOURCE_GCP = "skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv @ 017e2502fb63c7a28757acd94002b2d6099d3e3d"
SOURCE_HYPERBOLIC = "skypilot-org/skypilot-catalog catalogs/v7/hyperbolic/vms.csv @ 00e7b160594c0b6168e0cebca7011cc431a831bb"
SOURCE_LAMBDA = "skypilot-org/skypilot-catalog catalogs/v7/lambda/vms.csv @ 11580132cea293395776b033c8533714d42abb4e"
SOURCE_MITHRIL = "skypilot-org/skypilot-catalog catalogs/v7/mithril/vms.csv @ 1ba9415d5a3992d919df5391038ebd3a47613ef5"
SOURCE_NEBIUS = "skypilot-org/skypilot-catalog catalogs/v7/nebius/vms.csv @ 22fd1feab9aa97a155f0f5a9d39351d9aa8ae9be"
SOURCE_RUNPOD = "skypilot-org/skypilot-catalog catalogs/v7/runpod/vms.csv @ 0727c2bd9e77f91cb1377127c5f793a28cf01384"
SOURCE_SEEWEB = "skypilot-org/skypilot-catalog catalogs/v7/seeweb/vms.csv @ 06b032fa5cca748d36225a9885ce6c7acb8b93ac"
SOURCE_SHADEFORM = "skypilot-org/skypilot-catalog catalogs/v7/shadeform/vms.csv @ 1e84987d744bbba993baf5e536fc58f014ac94a7"
SOURCE_SIMPLEPOD = "skypilot-org/skypilot-catalog catalogs/v7/simplepod/vms.csv @ 1010b7594439e103435466844552cf3580460085"
SOURCE_VAST = "skypilot-org/skypilot-catalog catalogs/v7/vast/vms.csv @ 00690e7666c721997de53f0594aef3d86d560545"

COLUMNS = (
    "gpu",
    "provider",
    "instance_name",
    "gpus_per_instance",
    "region",
    "on_demand_usd_per_gpu_hour",
    "spot_usd_per_gpu_hour",
    "instance_on_demand_usd_per_hour",
    "source",
    "notes",
)

# fmt: off
OFFERS = [
    (
        'a100-40gb-sxm', 'aws', 'p4d.24xlarge', 8, 'us-east-1',
        Decimal("4.0966"), Decimal("0.6367"), Decimal("32.7726"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. p4d = A100 40GB SXM4 (catalog A100); spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'a100-40gb-sxm', 'gcp', 'a2-highgpu-1g + 1x A100', 1, 'us-central1',
        Decimal("3.6734"), Decimal("1.4430"), Decimal("3.67339"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. a2-highgpu = A100 40GB SXM4; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'gcp', 'a2-highgpu-2g + 2x A100', 2, 'us-central1',
        Decimal("3.6734"), Decimal("1.4430"), Decimal("7.34677"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. a2-highgpu = A100 40GB SXM4; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'gcp', 'a2-highgpu-4g + 4x A100', 4, 'us-central1',
        Decimal("3.6734"), Decimal("1.4430"), Decimal("14.69354"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. a2-highgpu = A100 40GB SXM4; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'gcp', 'a2-highgpu-8g + 8x A100', 8, 'us-central1',
        Decimal("3.6734"), Decimal("1.4430"), Decimal("29.38708"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. a2-highgpu = A100 40GB SXM4; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'gcp', 'a2-megagpu-16g + 16x A100', 16, 'us-central1',
        Decimal("3.4837"), Decimal("1.3671"), Decimal("55.73951"),
        SOURCE_GCP,
        'cheapest US region. a2-megagpu-16g = 16x A100 40GB SXM4; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'lambda', 'gpu_1x_a100_sxm4', 1, 'us-east-1',
        Decimal("1.2900"), None, Decimal("1.29"),
        SOURCE_LAMBDA,
        'cheapest US region. name says sxm4; 40GB per GpuInfo. gpu_1x_a100/2x/4x/8x_a100 (also 40GB, $1.29/GPU) are not mapped: their names do not state SXM vs PCIe; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'vast', '1x-A100_SXM4-32-65536', 1, 'Germany, DE, EU',
        Decimal("1.2000"), None, Decimal("1.2"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). instance name A100_SXM4 with 40960 MiB per GPU; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Germany, DE, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'vast', '2x-A100_SXM4-32-65536', 2, 'Slovenia, SI, EU',
        Decimal("0.7350"), None, Decimal("1.47"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). instance name A100_SXM4 with 40960 MiB per GPU; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Slovenia, SI, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'vast', '4x-A100_SXM4-32-65536', 4, 'Slovenia, SI, EU',
        Decimal("0.7325"), None, Decimal("2.93"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). instance name A100_SXM4 with 40960 MiB per GPU; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Slovenia, SI, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-40gb-sxm', 'vast', '8x-A100_SXM4-32-65536', 8, 'Slovenia, SI, EU',
        Decimal("0.7338"), None, Decimal("5.87"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). instance name A100_SXM4 with 40960 MiB per GPU; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Slovenia, SI, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'aws', 'p4de.24xlarge', 8, 'us-east-1',
        Decimal("5.1207"), Decimal("0.7299"), Decimal("40.96575"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-west-2. p4de = A100 80GB SXM4 (catalog A100-80GB); catalog lists each p4de AZ twice (GpuInfo name A100 with spot, A100-80GB without); spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'a100-80gb-sxm', 'gcp', 'a2-ultragpu-1g + 1x A100-80GB', 1, 'us-central1',
        Decimal("2.9458"), Decimal("2.0110"), Decimal("2.94582"),
        SOURCE_GCP,
        'cheapest US region. a2-ultragpu = A100 80GB SXM4 (catalog A100-80GB); its accelerator price varies oddly by region ($1.85/GPU us-central1 vs $4.42 us-east5; spot only ~15% below on-demand); instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'gcp', 'a2-ultragpu-2g + 2x A100-80GB', 2, 'us-central1',
        Decimal("2.9458"), Decimal("2.0110"), Decimal("5.89164"),
        SOURCE_GCP,
        'cheapest US region. a2-ultragpu = A100 80GB SXM4 (catalog A100-80GB); its accelerator price varies oddly by region ($1.85/GPU us-central1 vs $4.42 us-east5; spot only ~15% below on-demand); instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'gcp', 'a2-ultragpu-4g + 4x A100-80GB', 4, 'us-central1',
        Decimal("2.9458"), Decimal("2.0110"), Decimal("11.78328"),
        SOURCE_GCP,
        'cheapest US region. a2-ultragpu = A100 80GB SXM4 (catalog A100-80GB); its accelerator price varies oddly by region ($1.85/GPU us-central1 vs $4.42 us-east5; spot only ~15% below on-demand); instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'gcp', 'a2-ultragpu-8g + 8x A100-80GB', 8, 'us-central1',
        Decimal("2.9458"), Decimal("2.0110"), Decimal("23.56656"),
        SOURCE_GCP,
        'cheapest US region. a2-ultragpu = A100 80GB SXM4 (catalog A100-80GB); its accelerator price varies oddly by region ($1.85/GPU us-central1 vs $4.42 us-east5; spot only ~15% below on-demand); instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'lambda', 'gpu_8x_a100_80gb_sxm4', 8, 'us-east-1',
        Decimal("1.7900"), None, Decimal("14.32"),
        SOURCE_LAMBDA,
        'cheapest US region. name says 80gb_sxm4; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'mithril', 'a100-80gb.sxm.1x', 1, 'us-central3-a',
        Decimal("0.5000"), Decimal("0.5000"), Decimal("0.5"),
        SOURCE_MITHRIL,
        'cheapest US region. instance name a100-80gb.sxm.1x states memory and SXM (catalog AcceleratorName is just A100); Price equals SpotPrice in the catalog and is very low (Mithril sells capacity by auction): likely a floor/reserve price, not a guaranteed on-demand rate. as_of unknown: this file was added by PR skypilot-org/skypilot-catalog#155 (approved 2025-11-12); only version in the index.',
    ),
    (
        'a100-80gb-sxm', 'mithril', 'a100-80gb.sxm.2x', 2, 'us-central3-a',
        Decimal("0.5000"), Decimal("0.5000"), Decimal("1"),
        SOURCE_MITHRIL,
        'cheapest US region. instance name a100-80gb.sxm.2x states memory and SXM (catalog AcceleratorName is just A100); Price equals SpotPrice in the catalog and is very low (Mithril sells capacity by auction): likely a floor/reserve price, not a guaranteed on-demand rate. as_of unknown: this file was added by PR skypilot-org/skypilot-catalog#155 (approved 2025-11-12); only version in the index.',
    ),
    (
        'a100-80gb-sxm', 'mithril', 'a100-80gb.sxm.4x', 4, 'us-central3-a',
        Decimal("0.5000"), Decimal("0.5000"), Decimal("2"),
        SOURCE_MITHRIL,
        'cheapest US region. instance name a100-80gb.sxm.4x states memory and SXM (catalog AcceleratorName is just A100); Price equals SpotPrice in the catalog and is very low (Mithril sells capacity by auction): likely a floor/reserve price, not a guaranteed on-demand rate. as_of unknown: this file was added by PR skypilot-org/skypilot-catalog#155 (approved 2025-11-12); only version in the index.',
    ),
    (
        'a100-80gb-sxm', 'mithril', 'a100-80gb.sxm.8x', 8, 'us-central3-a',
        Decimal("0.5000"), Decimal("0.5000"), Decimal("4"),
        SOURCE_MITHRIL,
        'cheapest US region. instance name a100-80gb.sxm.8x states memory and SXM (catalog AcceleratorName is just A100); Price equals SpotPrice in the catalog and is very low (Mithril sells capacity by auction): likely a floor/reserve price, not a guaranteed on-demand rate. as_of unknown: this file was added by PR skypilot-org/skypilot-catalog#155 (approved 2025-11-12); only version in the index.',
    ),
    (
        'a100-80gb-sxm', 'runpod', '1x_A100-80GB-SXM_SECURE', 1, 'US',
        Decimal("1.8900"), None, Decimal("1.89"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'runpod', '2x_A100-80GB-SXM_SECURE', 2, 'US',
        Decimal("1.8900"), None, Decimal("3.78"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'runpod', '4x_A100-80GB-SXM_SECURE', 4, 'US',
        Decimal("1.8900"), None, Decimal("7.56"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'runpod', '8x_A100-80GB-SXM_SECURE', 8, 'US',
        Decimal("1.8900"), None, Decimal("15.12"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'shadeform', 'massedcompute_A100-sxm4-80G-DGX', 1, 'desmoines-usa-1',
        Decimal("1.2400"), None, Decimal("1.24"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in kansascity-usa-1. instance name says sxm4-80G (underlying cloud: massedcompute); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'shadeform', 'datacrunch_A100-sxm4-80Gx4', 4, 'helsinki-finland-5',
        Decimal("1.8200"), None, Decimal("7.28"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). instance name says sxm4-80G (underlying cloud: datacrunch); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-sxm', 'shadeform', 'massedcompute_A100-sxm4-80G-DGXx8', 8, 'kansascity-usa-1',
        Decimal("1.2800"), None, Decimal("10.24"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in us-east-1. instance name says sxm4-80G (underlying cloud: massedcompute); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'cudo', 'intel-ice-lake-a100-pci_1x2v4gb', 1, 'us-carlsbad-1',
        Decimal("1.3734"), None, Decimal("1.3734"),
        SOURCE_CUDO,
        'cheapest US region. instance name a100-pci(e), 80GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'cudo', 'intel-ice-lake-a100-pci_2x8v16gb', 2, 'us-carlsbad-1',
        Decimal("1.3968"), None, Decimal("2.7936"),
        SOURCE_CUDO,
        'cheapest US region. instance name a100-pci(e), 80GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'cudo', 'intel-ice-lake-a100-pci_4x32v64gb', 4, 'us-carlsbad-1',
        Decimal("1.4436"), None, Decimal("5.7744"),
        SOURCE_CUDO,
        'cheapest US region. instance name a100-pci(e), 80GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'cudo', 'intel-ice-lake-a100-pci_8x64v128gb', 8, 'us-carlsbad-1',
        Decimal("1.4436"), None, Decimal("11.5488"),
        SOURCE_CUDO,
        'cheapest US region. instance name a100-pci(e), 80GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'runpod', '1x_A100-80GB_SECURE', 1, 'US',
        Decimal("1.6400"), Decimal("1.1900"), Decimal("1.64"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB; RunPod lists a separate A100-80GB-SXM type, so the plain one is the 80GB PCIe card (SkyPilot maps it to RunPod "NVIDIA A100 80GB PCIe"); same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'runpod', '2x_A100-80GB_SECURE', 2, 'US',
        Decimal("1.6200"), Decimal("1.1900"), Decimal("3.24"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB; RunPod lists a separate A100-80GB-SXM type, so the plain one is the 80GB PCIe card (SkyPilot maps it to RunPod "NVIDIA A100 80GB PCIe"); same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'runpod', '4x_A100-80GB_SECURE', 4, 'US',
        Decimal("1.6200"), Decimal("1.1900"), Decimal("6.48"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB; RunPod lists a separate A100-80GB-SXM type, so the plain one is the 80GB PCIe card (SkyPilot maps it to RunPod "NVIDIA A100 80GB PCIe"); same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a100-80gb-pcie', 'runpod', '8x_A100-80GB_SECURE', 8, 'US',
        Decimal("1.6200"), Decimal("1.1900"), Decimal("12.96"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog A100-80GB; RunPod lists a separate A100-80GB-SXM type, so the plain one is the 80GB PCIe card (SkyPilot maps it to RunPod "NVIDIA A100 80GB PCIe"); same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'aws', 'p5.48xlarge', 8, 'us-east-1',
        Decimal("12.2900"), Decimal("2.6242"), Decimal("98.32"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. p5 = H100 80GB SXM5 (catalog H100); p5.48xlarge still at $98.32 = pre-June-2025 list price; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'h100-sxm', 'cudo', 'sapphire-rapids-h100_1x2v4gb', 1, 'no-kristiansand-1',
        Decimal("1.8214"), None, Decimal("1.8214"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). catalog AcceleratorName H100-SXM; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'cudo', 'sapphire-rapids-h100_2x8v16gb', 2, 'no-kristiansand-1',
        Decimal("1.8528"), None, Decimal("3.7056"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). catalog AcceleratorName H100-SXM; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'cudo', 'sapphire-rapids-h100_4x32v64gb', 4, 'no-kristiansand-1',
        Decimal("1.9156"), None, Decimal("7.6624"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). catalog AcceleratorName H100-SXM; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'cudo', 'sapphire-rapids-h100_8x64v128gb', 8, 'no-kristiansand-1',
        Decimal("1.9156"), None, Decimal("15.3248"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). catalog AcceleratorName H100-SXM; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'gcp', 'a3-highgpu-1g + 1x H100', 1, 'us-central1',
        Decimal("5.3833"), Decimal("2.5249"), Decimal("5.38327"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-west1. a3-highgpu = H100 80GB SXM; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); GCP H100 accelerator price in this file is $4.20/GPU in us-central1/us-west1/us-west4 but $9.80 in us-east4 and $11.03 in us-east5, and spot exceeds on-demand in some non-US regions: likely a pricing-SKU mix-up in the catalog; us-east4 total would be $10.98/h. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'gcp', 'a3-highgpu-2g + 2x H100', 2, 'us-central1',
        Decimal("5.3833"), Decimal("2.5249"), Decimal("10.76654"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-west1. a3-highgpu = H100 80GB SXM; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); GCP H100 accelerator price in this file is $4.20/GPU in us-central1/us-west1/us-west4 but $9.80 in us-east4 and $11.03 in us-east5, and spot exceeds on-demand in some non-US regions: likely a pricing-SKU mix-up in the catalog; us-east4 total would be $21.96/h. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'gcp', 'a3-highgpu-4g + 4x H100', 4, 'us-central1',
        Decimal("5.3833"), Decimal("2.5249"), Decimal("21.53307"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-west1. a3-highgpu = H100 80GB SXM; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); GCP H100 accelerator price in this file is $4.20/GPU in us-central1/us-west1/us-west4 but $9.80 in us-east4 and $11.03 in us-east5, and spot exceeds on-demand in some non-US regions: likely a pricing-SKU mix-up in the catalog; us-east4 total would be $43.92/h. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'gcp', 'a3-highgpu-8g + 8x H100', 8, 'us-central1',
        Decimal("5.3833"), Decimal("2.5249"), Decimal("43.06615"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-west1. a3-highgpu = H100 80GB SXM; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); GCP H100 accelerator price in this file is $4.20/GPU in us-central1/us-west1/us-west4 but $9.80 in us-east4 and $11.03 in us-east5, and spot exceeds on-demand in some non-US regions: likely a pricing-SKU mix-up in the catalog; us-east4 total would be $87.83/h. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '1x-H100-224-2165', 1, 'default',
        Decimal("1.2900"), None, Decimal("1.29"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '2x-H100-64-619', 2, 'default',
        Decimal("1.2900"), None, Decimal("2.58"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '3x-H100-134-1299', 3, 'default',
        Decimal("1.2900"), None, Decimal("3.87"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '4x-H100-128-1237', 4, 'default',
        Decimal("1.2900"), None, Decimal("5.16"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '5x-H100-160-1546', 5, 'default',
        Decimal("1.2900"), None, Decimal("6.45"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '6x-H100-192-1856', 6, 'default',
        Decimal("1.2900"), None, Decimal("7.74"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '7x-H100-224-2165', 7, 'default',
        Decimal("1.2900"), None, Decimal("9.03"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'hyperbolic', '8x-H100-224-2165', 8, 'default',
        Decimal("1.3900"), None, Decimal("11.12"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). GpuInfo name NVIDIA-H100-80GB-HBM3: HBM3 is the SXM5 part (PCIe H100 uses HBM2e; SkyPilot also notes RunPod\'s "H100 80GB HBM3" id is the SXM card); region "default" (unspecified); several instance shapes share this price. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'lambda', 'gpu_1x_h100_sxm5', 1, 'us-east-1',
        Decimal("3.2900"), None, Decimal("3.29"),
        SOURCE_LAMBDA,
        'cheapest US region. name says sxm5; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'lambda', 'gpu_2x_h100_sxm5', 2, 'us-east-1',
        Decimal("3.1900"), None, Decimal("6.38"),
        SOURCE_LAMBDA,
        'cheapest US region. name says sxm5; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'lambda', 'gpu_4x_h100_sxm5', 4, 'us-east-1',
        Decimal("3.0900"), None, Decimal("12.36"),
        SOURCE_LAMBDA,
        'cheapest US region. name says sxm5; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'lambda', 'gpu_8x_h100_sxm5', 8, 'us-east-1',
        Decimal("2.9900"), None, Decimal("23.92"),
        SOURCE_LAMBDA,
        'cheapest US region. name says sxm5; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'mithril', 'h100-80gb.sxm.8x', 8, 'us-central1-b',
        Decimal("1.0000"), Decimal("1.0000"), Decimal("8"),
        SOURCE_MITHRIL,
        'cheapest US region. instance name h100-80gb.sxm.8x states memory and SXM (catalog AcceleratorName is just H100); Price equals SpotPrice in the catalog and is very low (Mithril sells capacity by auction): likely a floor/reserve price, not a guaranteed on-demand rate. as_of unknown: this file was added by PR skypilot-org/skypilot-catalog#155 (approved 2025-11-12); only version in the index.',
    ),
    (
        'h100-sxm', 'nebius', 'gpu-h100-sxm_1gpu-16vcpu-200gb', 1, 'eu-north1',
        Decimal("2.9500"), Decimal("1.2500"), Decimal("2.95"),
        SOURCE_NEBIUS,
        'cheapest region (no US region for this offer). instance name gpu-h100-sxm; Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'nebius', 'gpu-h100-sxm_8gpu-128vcpu-1600gb', 8, 'eu-north1',
        Decimal("2.9500"), Decimal("1.2500"), Decimal("23.6"),
        SOURCE_NEBIUS,
        'cheapest region (no US region for this offer). instance name gpu-h100-sxm; Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'runpod', '1x_H100-SXM_SECURE', 1, 'US',
        Decimal("2.9900"), Decimal("2.6900"), Decimal("2.99"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'runpod', '2x_H100-SXM_SECURE', 2, 'US',
        Decimal("2.9900"), Decimal("2.6900"), Decimal("5.98"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'runpod', '4x_H100-SXM_SECURE', 4, 'US',
        Decimal("2.9900"), Decimal("2.6900"), Decimal("11.96"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'runpod', '8x_H100-SXM_SECURE', 8, 'US',
        Decimal("2.9900"), Decimal("2.6900"), Decimal("23.92"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'shadeform', 'digitalocean_H100-sxm5', 1, 'newyork-usa-2',
        Decimal("3.3400"), None, Decimal("3.34"),
        SOURCE_SHADEFORM,
        'cheapest US region. instance name says sxm5 (underlying cloud: digitalocean); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'shadeform', 'denvr_H100-sxm5x8', 8, 'houston-usa-1',
        Decimal("2.2000"), None, Decimal("17.6"),
        SOURCE_SHADEFORM,
        'cheapest US region. instance name says sxm5 (underlying cloud: denvr); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'vast', '1x-H100_SXM-32-65536', 1, 'Florida, US, NA',
        Decimal("1.8000"), None, Decimal("1.8"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_SXM; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Czechia, CZ, EU; Thailand, TH, AS; Florida, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'vast', '2x-H100_SXM-32-65536', 2, 'Florida, US, NA',
        Decimal("1.8000"), None, Decimal("3.6"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_SXM; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: France, FR, EU; Florida, US, NA; Thailand, TH, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'vast', '4x-H100_SXM-32-65536', 4, 'Texas, US, NA',
        Decimal("1.8000"), None, Decimal("7.2"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_SXM; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Texas, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-sxm', 'vast', '8x-H100_SXM-32-65536', 8, ', US, NA',
        Decimal("2.1338"), None, Decimal("17.07"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_SXM; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: , US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-pcie', 'lambda', 'gpu_1x_h100_pcie', 1, 'us-east-1',
        Decimal("2.4900"), None, Decimal("2.49"),
        SOURCE_LAMBDA,
        'cheapest US region. name says pcie; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-pcie', 'runpod', '1x_H100_SECURE', 1, 'US',
        Decimal("2.3900"), None, Decimal("2.39"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100; SkyPilot RunPod GPU map: H100 -> "NVIDIA H100 PCIe", H100-SXM -> "NVIDIA H100 80GB HBM3"; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-pcie', 'runpod', '2x_H100_SECURE', 2, 'US',
        Decimal("2.3900"), None, Decimal("4.78"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100; SkyPilot RunPod GPU map: H100 -> "NVIDIA H100 PCIe", H100-SXM -> "NVIDIA H100 80GB HBM3"; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-pcie', 'runpod', '4x_H100_SECURE', 4, 'US',
        Decimal("2.3900"), None, Decimal("9.56"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100; SkyPilot RunPod GPU map: H100 -> "NVIDIA H100 PCIe", H100-SXM -> "NVIDIA H100 80GB HBM3"; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-pcie', 'runpod', '8x_H100_SECURE', 8, 'US',
        Decimal("2.3900"), None, Decimal("19.12"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H100; SkyPilot RunPod GPU map: H100 -> "NVIDIA H100 PCIe", H100-SXM -> "NVIDIA H100 80GB HBM3"; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'cudo', 'epyc-genoa-h100-nvl-pcie_1x2v4gb', 1, 'au-melbourne-1',
        Decimal("2.4994"), None, Decimal("2.4994"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). instance name h100-nvl-pcie, 94GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'cudo', 'epyc-genoa-h100-nvl-pcie_2x8v16gb', 2, 'au-melbourne-1',
        Decimal("2.5288"), None, Decimal("5.0576"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). instance name h100-nvl-pcie, 94GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'cudo', 'epyc-genoa-h100-nvl-pcie_4x32v64gb', 4, 'au-melbourne-1',
        Decimal("2.5876"), None, Decimal("10.3504"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). instance name h100-nvl-pcie, 94GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'cudo', 'epyc-genoa-h100-nvl-pcie_8x64v128gb', 8, 'au-melbourne-1',
        Decimal("2.5876"), None, Decimal("20.7008"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). instance name h100-nvl-pcie, 94GB per GPU; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'vast', '2x-H100_NVL-32-65536', 2, 'California, US, NA',
        Decimal("2.2650"), None, Decimal("4.53"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_NVL (~94GB per GPU); Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: California, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'vast', '4x-H100_NVL-32-65536', 4, 'California, US, NA',
        Decimal("2.2675"), None, Decimal("9.07"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_NVL (~94GB per GPU); Vast is a marketplace: median of the 2 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Poland, PL, EU; California, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h100-nvl', 'vast', '8x-H100_NVL-32-65536', 8, 'California, US, NA',
        Decimal("2.2662"), None, Decimal("18.13"),
        SOURCE_VAST,
        'cheapest US region. instance name H100_NVL (~94GB per GPU); Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: California, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'aws', 'p5en.48xlarge', 8, 'us-east-1',
        Decimal("10.6000"), Decimal("3.0363"), Decimal("84.8"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. p5en = H200 141GB (catalog H200); p5e.48xlarge has no on-demand price in this catalog (spot only), so it is not used; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'h200', 'gcp', 'a3-ultragpu-8g + 8x H200', 8, 'us-central1',
        Decimal("10.8450"), Decimal("4.0773"), Decimal("86.75992"),
        SOURCE_GCP,
        'canonical us-central1 row (not the cheapest). a3-ultragpu-8g = H200; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); H200 accelerator is $36.60/8 GPUs in us-east5/us-south1 but $74.49 in us-central1/us-east4/us-west1 (same file). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'gcp', 'a3-ultragpu-8g + 8x H200', 8, 'us-east5',
        Decimal("6.3022"), None, Decimal("50.41777"),
        SOURCE_GCP,
        'cheapest US region. a3-ultragpu-8g = H200; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately); H200 accelerator is $36.60/8 GPUs in us-east5/us-south1 but $74.49 in us-central1/us-east4/us-west1 (same file). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'nebius', 'gpu-h200-sxm_1gpu-16vcpu-200gb', 1, 'us-central1',
        Decimal("3.5000"), Decimal("1.4500"), Decimal("3.5"),
        SOURCE_NEBIUS,
        'cheapest US region. gpu-h200-sxm; Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'nebius', 'gpu-h200-sxm_8gpu-128vcpu-1600gb', 8, 'us-central1',
        Decimal("3.5000"), Decimal("1.4500"), Decimal("28"),
        SOURCE_NEBIUS,
        'cheapest US region. gpu-h200-sxm; Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'runpod', '1x_H200-SXM_SECURE', 1, 'US',
        Decimal("3.9900"), Decimal("3.5900"), Decimal("3.99"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H200-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'runpod', '2x_H200-SXM_SECURE', 2, 'US',
        Decimal("3.9900"), Decimal("3.5900"), Decimal("7.98"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H200-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'runpod', '4x_H200-SXM_SECURE', 4, 'US',
        Decimal("3.9900"), Decimal("3.5900"), Decimal("15.96"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H200-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'runpod', '8x_H200-SXM_SECURE', 8, 'US',
        Decimal("3.9900"), Decimal("3.5900"), Decimal("31.92"),
        SOURCE_RUNPOD,
        'cheapest US region. catalog H200-SXM; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'seeweb', 'ECS1GPU10', 1, 'it-fr2',
        Decimal("2.6000"), None, Decimal("2.6"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'seeweb', 'ECS2GPU10', 2, 'unspecified',
        Decimal("2.6000"), None, Decimal("5.2"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'seeweb', 'ECS4GPU10', 4, 'unspecified',
        Decimal("2.6000"), None, Decimal("10.4"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'seeweb', 'ECS8GPU10', 8, 'unspecified',
        Decimal("2.6000"), None, Decimal("20.8"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'shadeform', 'excesssupply_H200-sxm5', 1, 'kansascity-usa-4',
        Decimal("2.4500"), None, Decimal("2.45"),
        SOURCE_SHADEFORM,
        'cheapest US region. H200 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'shadeform', 'datacrunch_H200x2', 2, 'helsinki-finland-2',
        Decimal("3.3700"), None, Decimal("6.74"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer); same price also in reykjanesbaer-iceland-1. H200 (underlying cloud: datacrunch); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'shadeform', 'amaya_H200-sxm5x8-NVLINK', 8, 'dowagiac-usa-1',
        Decimal("2.3500"), None, Decimal("18.8"),
        SOURCE_SHADEFORM,
        'cheapest US region. H200 (underlying cloud: amaya); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'vast', '1x-H200-32-65536', 1, 'Hungary, HU, EU',
        Decimal("2.4700"), None, Decimal("2.47"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). H200; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Hungary, HU, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'vast', '2x-H200-32-65536', 2, 'France, FR, EU',
        Decimal("2.4700"), None, Decimal("4.94"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). H200; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: France, FR, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'vast', '4x-H200-32-65536', 4, ', US, NA',
        Decimal("2.8250"), None, Decimal("11.3"),
        SOURCE_VAST,
        'cheapest US region. H200; Vast is a marketplace: median of the 2 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: , US, NA; Italy, IT, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'h200', 'vast', '8x-H200-32-65536', 8, ', US, NA',
        Decimal("2.8237"), None, Decimal("22.59"),
        SOURCE_VAST,
        'cheapest US region. H200; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: , US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'gcp', 'a4-highgpu-8g', 8, 'us-central1',
        Decimal("11.2770"), None, Decimal("90.216"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-east4, us-south1, us-west2, us-west3. a4-highgpu-8g = 8x B200; the catalog has no a4 host-VM row, only this 8-GPU accelerator row ($90.216/h in every listed region), used as the instance price (may exclude host VM cost); spot $64.44/8 GPUs is listed in us-east4/us-south1/us-west2/us-west3 but not us-central1. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'nebius', 'gpu-b200-sxm_8gpu-160vcpu-1792gb', 8, 'us-central1',
        Decimal("5.5000"), None, Decimal("44"),
        SOURCE_NEBIUS,
        'cheapest US region. gpu-b200-sxm; Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'shadeform', 'datacrunch_B200', 1, 'helsinki-finland-5',
        Decimal("4.9000"), None, Decimal("4.9"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). B200 (underlying cloud: datacrunch); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'shadeform', 'datacrunch_B200x2', 2, 'helsinki-finland-5',
        Decimal("4.9000"), None, Decimal("9.8"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). B200 (underlying cloud: datacrunch); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'shadeform', 'datacrunch_B200x4', 4, 'helsinki-finland-5',
        Decimal("4.9000"), None, Decimal("19.6"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). B200 (underlying cloud: datacrunch); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'b200', 'shadeform', 'excesssupply_B200-sxm5x8-NVLINK', 8, 'kansascity-usa-4',
        Decimal("4.5000"), None, Decimal("36"),
        SOURCE_SHADEFORM,
        'cheapest US region. B200 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'aws', 'g6e.xlarge', 1, 'us-east-1',
        Decimal("1.8610"), Decimal("0.7870"), Decimal("1.861"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6e = L40S 48GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l40s', 'aws', 'g6e.12xlarge', 4, 'us-east-1',
        Decimal("2.6232"), Decimal("1.0590"), Decimal("10.49264"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6e = L40S 48GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l40s', 'aws', 'g6e.48xlarge', 8, 'us-east-1',
        Decimal("3.7664"), Decimal("0.8155"), Decimal("30.13118"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6e = L40S 48GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l40s', 'cudo', 'epyc-genoa-l40s-compute_1x2v4gb', 1, 'au-melbourne-1',
        Decimal("0.8994"), None, Decimal("0.8994"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer); same price also in no-kristiansand-1. L40S 48GB; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'cudo', 'epyc-genoa-l40s-compute_2x8v16gb', 2, 'au-melbourne-1',
        Decimal("0.9288"), None, Decimal("1.8576"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). L40S 48GB; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'cudo', 'epyc-genoa-l40s-compute_4x32v64gb', 4, 'au-melbourne-1',
        Decimal("0.9876"), None, Decimal("3.9504"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). L40S 48GB; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'cudo', 'epyc-genoa-l40s-compute_8x64v128gb', 8, 'au-melbourne-1',
        Decimal("0.9876"), None, Decimal("7.9008"),
        SOURCE_CUDO,
        'cheapest region (no US region for this offer). L40S 48GB; Cudo prices each vCPU/RAM size separately: smallest (cheapest) shape for this GPU count used. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'nebius', 'gpu-l40s-a_1gpu-8vcpu-32gb', 1, 'eu-north1',
        Decimal("1.5484"), None, Decimal("1.5484"),
        SOURCE_NEBIUS,
        'cheapest region (no US region for this offer). L40S 48GB (catalog GpuInfo MemoryInfo wrongly holds host RAM); Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'nebius', 'gpu-l40s-d_2gpu-64vcpu-384gb', 2, 'eu-north1',
        Decimal("2.2844"), None, Decimal("4.5688"),
        SOURCE_NEBIUS,
        'cheapest region (no US region for this offer). L40S 48GB (catalog GpuInfo MemoryInfo wrongly holds host RAM); Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'nebius', 'gpu-l40s-d_4gpu-128vcpu-768gb', 4, 'eu-north1',
        Decimal("2.2844"), None, Decimal("9.1376"),
        SOURCE_NEBIUS,
        'cheapest region (no US region for this offer). L40S 48GB (catalog GpuInfo MemoryInfo wrongly holds host RAM); Nebius region names (us-central1 = Nebius US region, not GCP). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'runpod', '4x_L40S_SECURE', 4, 'US',
        Decimal("0.4300"), Decimal("0.8600"), Decimal("1.72"),
        SOURCE_RUNPOD,
        'cheapest US region. L40S; ANOMALY: catalog SpotPrice ($0.86/GPU) is higher than Price ($0.43/GPU) for this shape, columns look swapped; 1x/2x L40S rows not read; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'runpod', '8x_L40S_SECURE', 8, 'US',
        Decimal("0.4300"), Decimal("0.8600"), Decimal("3.44"),
        SOURCE_RUNPOD,
        'cheapest US region. L40S; ANOMALY: catalog SpotPrice ($0.86/GPU) is higher than Price ($0.43/GPU) for this shape, columns look swapped; 1x/2x L40S rows not read; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'seeweb', 'ECS1GPU7', 1, 'it-fr2',
        Decimal("0.8500"), None, Decimal("0.85"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'seeweb', 'ECS2GPU7', 2, 'it-fr2',
        Decimal("0.8500"), None, Decimal("1.7"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'seeweb', 'ECS3GPU7', 4, 'it-fr2',
        Decimal("0.8500"), None, Decimal("3.4"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'seeweb', 'ECS4GPU7', 8, 'unspecified',
        Decimal("0.8500"), None, Decimal("6.8"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'shadeform', 'crusoe_L40S', 1, 'culpeper-usa-1',
        Decimal("1.4500"), None, Decimal("1.45"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in houston-usa-2. L40S (underlying cloud: crusoe); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'shadeform', 'crusoe_L40Sx2', 2, 'culpeper-usa-1',
        Decimal("1.4500"), None, Decimal("2.9"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in houston-usa-2. L40S (underlying cloud: crusoe); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'shadeform', 'crusoe_L40Sx4', 4, 'culpeper-usa-1',
        Decimal("1.4500"), None, Decimal("5.8"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in houston-usa-2. L40S (underlying cloud: crusoe); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'shadeform', 'latitude_L40Sx8', 8, 'dallas-usa-1',
        Decimal("0.8712"), None, Decimal("6.97"),
        SOURCE_SHADEFORM,
        'cheapest US region. L40S (underlying cloud: latitude); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'shadeform', 'crusoe_L40Sx10', 10, 'culpeper-usa-1',
        Decimal("1.4500"), None, Decimal("14.5"),
        SOURCE_SHADEFORM,
        'cheapest US region; same price also in houston-usa-2. L40S (underlying cloud: crusoe); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'vast', '2x-L40S-32-65536', 2, 'Oregon, US, NA',
        Decimal("0.6650"), None, Decimal("1.33"),
        SOURCE_VAST,
        'cheapest US region. L40S; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Oregon, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'vast', '4x-L40S-32-65536', 4, 'Slovenia, SI, EU',
        Decimal("0.8000"), None, Decimal("3.2"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). L40S; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Slovenia, SI, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l40s', 'vast', '8x-L40S-32-65536', 8, 'Slovenia, SI, EU',
        Decimal("0.8000"), None, Decimal("6.4"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). L40S; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Slovenia, SI, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'aws', 'g6.xlarge', 1, 'us-east-1',
        Decimal("0.8048"), Decimal("0.3879"), Decimal("0.8048"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6 = L4 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l4', 'aws', 'g6.12xlarge', 4, 'us-east-1',
        Decimal("1.1504"), Decimal("0.4657"), Decimal("4.6016"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6 = L4 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l4', 'aws', 'g6.48xlarge', 8, 'us-east-1',
        Decimal("1.6688"), Decimal("0.3703"), Decimal("13.3504"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g6 = L4 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'l4', 'gcp', 'g2-standard-4 + 1x L4', 1, 'us-central1',
        Decimal("0.7068"), Decimal("0.2818"), Decimal("0.70683"),
        SOURCE_GCP,
        'canonical us-central1 row (not the cheapest). g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-4 + 1x L4', 1, 'us-east4',
        Decimal("0.7045"), Decimal("0.2818"), Decimal("0.70452"),
        SOURCE_GCP,
        'cheapest US region. g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-24 + 2x L4', 2, 'us-central1',
        Decimal("1.0004"), Decimal("0.3993"), Decimal("2.00083"),
        SOURCE_GCP,
        'canonical us-central1 row (not the cheapest). g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-24 + 2x L4', 2, 'us-east4',
        Decimal("0.9971"), Decimal("0.3988"), Decimal("1.99428"),
        SOURCE_GCP,
        'cheapest US region. g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-48 + 4x L4', 4, 'us-central1',
        Decimal("1.0004"), Decimal("0.3993"), Decimal("4.00166"),
        SOURCE_GCP,
        'canonical us-central1 row (not the cheapest). g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-48 + 4x L4', 4, 'us-east4',
        Decimal("0.9971"), Decimal("0.3988"), Decimal("3.98857"),
        SOURCE_GCP,
        'cheapest US region. g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-96 + 8x L4', 8, 'us-central1',
        Decimal("1.0004"), Decimal("0.3993"), Decimal("8.00333"),
        SOURCE_GCP,
        'canonical us-central1 row (not the cheapest). g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'gcp', 'g2-standard-96 + 8x L4', 8, 'us-east4',
        Decimal("0.9971"), Decimal("0.3988"), Decimal("7.97712"),
        SOURCE_GCP,
        'cheapest US region. g2 = L4 24GB; g2-standard-4 is the cheapest 1-L4 shape; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'runpod', '1x_L4_SECURE', 1, 'US',
        Decimal("0.4400"), None, Decimal("0.44"),
        SOURCE_RUNPOD,
        'cheapest US region. L4; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'runpod', '2x_L4_SECURE', 2, 'US',
        Decimal("0.4400"), None, Decimal("0.88"),
        SOURCE_RUNPOD,
        'cheapest US region. L4; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'runpod', '4x_L4_SECURE', 4, 'US',
        Decimal("0.4400"), None, Decimal("1.76"),
        SOURCE_RUNPOD,
        'cheapest US region. L4; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'runpod', '8x_L4_SECURE', 8, 'US',
        Decimal("0.4400"), None, Decimal("3.52"),
        SOURCE_RUNPOD,
        'cheapest US region. L4; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'seeweb', 'ECS1GPU6', 1, 'it-fr2',
        Decimal("0.3800"), None, Decimal("0.38"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'seeweb', 'ECS2GPU6', 2, 'unspecified',
        Decimal("0.3800"), None, Decimal("0.76"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'seeweb', 'ECS3GPU6', 4, 'unspecified',
        Decimal("0.3800"), None, Decimal("1.52"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'seeweb', 'ECS4GPU6', 8, 'unspecified',
        Decimal("0.3800"), None, Decimal("3.04"),
        SOURCE_SEEWEB,
        'cheapest region (no US region for this offer). Seeweb (Italy); some catalog rows have an empty region. Seeweb A100 80GB and H100 80GB are not mapped: SXM vs PCIe not stated. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'shadeform', 'scaleway_L4', 1, 'paris-france-1',
        Decimal("0.9000"), None, Decimal("0.9"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer); same price also in paris-france-5, warsaw-poland-1. L4 (underlying cloud: scaleway); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'shadeform', 'scaleway_L4x2', 2, 'paris-france-1',
        Decimal("0.8600"), None, Decimal("1.72"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer); same price also in paris-france-5, warsaw-poland-1. L4 (underlying cloud: scaleway); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'shadeform', 'scaleway_L4x4', 4, 'paris-france-1',
        Decimal("0.8425"), None, Decimal("3.37"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer); same price also in paris-france-5, warsaw-poland-1. L4 (underlying cloud: scaleway); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'l4', 'shadeform', 'scaleway_L4x8', 8, 'paris-france-1',
        Decimal("0.8337"), None, Decimal("6.67"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer); same price also in paris-france-5, warsaw-poland-1. L4 (underlying cloud: scaleway); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a10', 'lambda', 'gpu_1x_a10', 1, 'us-east-1',
        Decimal("0.7500"), None, Decimal("0.75"),
        SOURCE_LAMBDA,
        'cheapest US region. A10 24GB; Lambda catalog repeats one flat price in all 17 regions (availability not implied); us-east-1 shown. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a10', 'vast', '2x-A10-32-65536', 2, 'The Netherlands, NL, EU',
        Decimal("0.2550"), None, Decimal("0.51"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). A10; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: The Netherlands, NL, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'a10g', 'aws', 'g5.xlarge', 1, 'us-east-1',
        Decimal("1.0060"), Decimal("0.3970"), Decimal("1.006"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g5 = A10G 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'a10g', 'aws', 'g5.12xlarge', 4, 'us-east-1',
        Decimal("1.4180"), Decimal("0.4984"), Decimal("5.672"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g5 = A10G 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'a10g', 'aws', 'g5.48xlarge', 8, 'us-east-1',
        Decimal("2.0360"), Decimal("0.4908"), Decimal("16.288"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g5 = A10G 24GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        't4', 'aws', 'g4dn.xlarge', 1, 'us-east-1',
        Decimal("0.5260"), Decimal("0.1845"), Decimal("0.526"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g4dn = NVIDIA T4 16GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        't4', 'aws', 'g4dn.12xlarge', 4, 'us-east-1',
        Decimal("0.9780"), Decimal("0.3171"), Decimal("3.912"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g4dn = NVIDIA T4 16GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        't4', 'aws', 'g4dn.metal', 8, 'us-east-1',
        Decimal("0.9780"), Decimal("0.4354"), Decimal("7.824"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-east-2, us-west-2. g4dn = NVIDIA T4 16GB; spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        't4', 'gcp', 'n1-standard-8 + 1x T4', 1, 'us-central1',
        Decimal("0.7300"), Decimal("0.2363"), Decimal("0.73"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. T4 16GB attached to an N1 VM; host n1-standard-8 chosen by us (any N1 shape works); GPU-only price is in the catalog accelerator row; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        't4', 'gcp', 'n1-standard-8 + 2x T4', 2, 'us-central1',
        Decimal("0.5400"), Decimal("0.1882"), Decimal("1.08"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. T4 16GB attached to an N1 VM; host n1-standard-8 chosen by us (any N1 shape works); GPU-only price is in the catalog accelerator row; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        't4', 'gcp', 'n1-standard-8 + 4x T4', 4, 'us-central1',
        Decimal("0.4450"), Decimal("0.1641"), Decimal("1.78"),
        SOURCE_GCP,
        'cheapest US region; same price also in us-east1, us-west1. T4 16GB attached to an N1 VM; host n1-standard-8 chosen by us (any N1 shape works); GPU-only price is in the catalog accelerator row; instance price = host VM row + accelerator row (SkyPilot prices GCP GPUs separately). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'v100-32gb', 'aws', 'p3dn.24xlarge', 8, 'us-east-1',
        Decimal("3.9015"), Decimal("0.4079"), Decimal("31.212"),
        SOURCE_AWS,
        'cheapest US region; same price also in us-west-2. p3dn = V100 32GB SXM2 (catalog V100-32GB); spot = lowest AZ spot price in that region. as_of unknown: commit date not retrievable; content implies 2024-12..2025-05 (has p5en, lacks p6-b200, P4/P5 still at pre-June-2025 list prices).',
    ),
    (
        'v100-32gb', 'shadeform', 'paperspace_V100-32G', 1, 'newyork-usa-1',
        Decimal("2.3400"), None, Decimal("2.34"),
        SOURCE_SHADEFORM,
        'cheapest US region. V100-32G (underlying cloud: paperspace); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'v100-32gb', 'shadeform', 'paperspace_V100-32Gx2', 2, 'newyork-usa-1',
        Decimal("2.3400"), None, Decimal("4.68"),
        SOURCE_SHADEFORM,
        'cheapest US region. V100-32G (underlying cloud: paperspace); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'v100-32gb', 'shadeform', 'paperspace_V100-32Gx4', 4, 'newyork-usa-1',
        Decimal("2.3400"), None, Decimal("9.36"),
        SOURCE_SHADEFORM,
        'cheapest US region. V100-32G (underlying cloud: paperspace); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'runpod', '1x_RTX3090_SECURE', 1, 'US',
        Decimal("0.4300"), None, Decimal("0.43"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 3090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'runpod', '2x_RTX3090_SECURE', 2, 'US',
        Decimal("0.4300"), None, Decimal("0.86"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 3090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'runpod', '4x_RTX3090_SECURE', 4, 'US',
        Decimal("0.4300"), None, Decimal("1.72"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 3090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'runpod', '8x_RTX3090_SECURE', 8, 'US',
        Decimal("0.4300"), None, Decimal("3.44"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 3090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'simplepod', 'gpu_1x_rtx3090_12', 1, 'Europe-EE',
        Decimal("0.2200"), None, Decimal("0.22"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'simplepod', 'gpu_2x_rtx3090_25', 2, 'Europe-EE',
        Decimal("0.2200"), None, Decimal("0.44"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'simplepod', 'gpu_3x_rtx3090_38', 3, 'Europe-EE',
        Decimal("0.2200"), None, Decimal("0.66"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'vast', '1x-RTX_3090-32-65536', 1, 'Germany, DE, EU',
        Decimal("0.2500"), None, Decimal("0.25"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 3090; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Germany, DE, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-3090', 'vast', '2x-RTX_3090-32-65536', 2, 'Quebec, CA, NA',
        Decimal("0.2250"), None, Decimal("0.45"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 3090; Vast is a marketplace: median of the 2 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Quebec, CA, NA; Taiwan, TW, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '1x-RTX4090-64-271', 1, 'default',
        Decimal("0.2300"), None, Decimal("0.23"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '2x-RTX4090-18-77', 2, 'default',
        Decimal("0.2500"), None, Decimal("0.5"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '3x-RTX4090-27-116', 3, 'default',
        Decimal("0.2500"), None, Decimal("0.75"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '4x-RTX4090-37-155', 4, 'default',
        Decimal("0.2500"), None, Decimal("1"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '5x-RTX4090-46-194', 5, 'default',
        Decimal("0.2500"), None, Decimal("1.25"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '6x-RTX4090-55-232', 6, 'default',
        Decimal("0.2500"), None, Decimal("1.5"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'hyperbolic', '7x-RTX4090-64-271', 7, 'default',
        Decimal("0.2500"), None, Decimal("1.75"),
        SOURCE_HYPERBOLIC,
        'cheapest region (no US region for this offer). RTX 4090; region "default" (unspecified). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'runpod', '1x_RTX4090_SECURE', 1, 'US',
        Decimal("0.6900"), Decimal("0.3400"), Decimal("0.69"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 4090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'runpod', '2x_RTX4090_SECURE', 2, 'US',
        Decimal("0.6900"), Decimal("0.3400"), Decimal("1.38"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 4090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'runpod', '4x_RTX4090_SECURE', 4, 'US',
        Decimal("0.6900"), Decimal("0.3400"), Decimal("2.76"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 4090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'runpod', '8x_RTX4090_SECURE', 8, 'US',
        Decimal("0.6900"), Decimal("0.3400"), Decimal("5.52"),
        SOURCE_RUNPOD,
        'cheapest US region. RTX 4090; same price in every RunPod data centre; region = country code US (e.g. US-TX-1). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'shadeform', 'excesssupply_RTX4090', 1, 'oslo-norway-3',
        Decimal("0.6000"), None, Decimal("0.6"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 4090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'shadeform', 'excesssupply_RTX4090x2', 2, 'oslo-norway-3',
        Decimal("0.6000"), None, Decimal("1.2"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 4090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'shadeform', 'excesssupply_RTX4090x4', 4, 'oslo-norway-3',
        Decimal("0.6000"), None, Decimal("2.4"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 4090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'shadeform', 'evergreen_RTX4090x8', 8, 'casper-usa-1',
        Decimal("0.4000"), None, Decimal("3.2"),
        SOURCE_SHADEFORM,
        'cheapest US region. RTX 4090 (underlying cloud: evergreen); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_1x_rtx4090_32', 1, 'Europe-PL',
        Decimal("0.3400"), None, Decimal("0.34"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_2x_rtx4090_64', 2, 'Europe-PL',
        Decimal("0.3400"), None, Decimal("0.68"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_3x_rtx4090_96', 3, 'Europe-PL',
        Decimal("0.3400"), None, Decimal("1.02"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_4x_rtx4090_128', 4, 'Europe-PL',
        Decimal("0.3200"), None, Decimal("1.28"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_5x_rtx4090_160', 5, 'Europe-PL',
        Decimal("0.3200"), None, Decimal("1.6"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_6x_rtx4090_192', 6, 'Europe-PL',
        Decimal("0.3200"), None, Decimal("1.92"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_7x_rtx4090_224', 7, 'Europe-PL',
        Decimal("0.3200"), None, Decimal("2.24"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'simplepod', 'gpu_8x_rtx4090_256', 8, 'Europe-PL',
        Decimal("0.3200"), None, Decimal("2.56"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '1x-RTX_4090-32-65536', 1, 'Texas, US, NA',
        Decimal("0.4000"), None, Decimal("0.4"),
        SOURCE_VAST,
        'cheapest US region. RTX 4090; Vast is a marketplace: median of the 2 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Spain, ES, EU; Texas, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '2x-RTX_4090-32-65536', 2, 'Texas, US, NA',
        Decimal("0.4000"), None, Decimal("0.8"),
        SOURCE_VAST,
        'cheapest US region. RTX 4090; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: St.-Petersburg, RU, EU; Hong Kong, HK, AS; Texas, US, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '4x-RTX_4090-32-65536', 4, 'France, FR, EU',
        Decimal("0.4000"), None, Decimal("1.6"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 4090; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: France, FR, EU; Quebec, CA, NA; Hong Kong, HK, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '5x-RTX_4090-32-65536', 5, 'Iceland, IS, EU',
        Decimal("0.4000"), None, Decimal("2"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 4090; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Iceland, IS, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '7x-RTX_4090-32-65536', 7, 'Viken, NO, EU',
        Decimal("0.4000"), None, Decimal("2.8"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 4090; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Viken, NO, EU); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '8x-RTX_4090-32-65536', 8, 'Utah, US, NA',
        Decimal("0.4000"), None, Decimal("3.2"),
        SOURCE_VAST,
        'cheapest US region. RTX 4090; Vast is a marketplace: median of the 2 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Utah, US, NA; Taiwan, TW, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-4090', 'vast', '12x-RTX_4090-32-65536', 12, 'Taiwan, TW, AS',
        Decimal("0.3200"), None, Decimal("3.84"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 4090; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Taiwan, TW, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'shadeform', 'excesssupply_RTX5090', 1, 'oslo-norway-3',
        Decimal("0.8000"), None, Decimal("0.8"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 5090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'shadeform', 'excesssupply_RTX5090x2', 2, 'oslo-norway-3',
        Decimal("0.8000"), None, Decimal("1.6"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 5090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'shadeform', 'excesssupply_RTX5090x4', 4, 'oslo-norway-3',
        Decimal("0.8000"), None, Decimal("3.2"),
        SOURCE_SHADEFORM,
        'cheapest region (no US region for this offer). RTX 5090 (underlying cloud: excesssupply); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'shadeform', 'evergreen_RTX5090x8', 8, 'casper-usa-1',
        Decimal("0.7000"), None, Decimal("5.6"),
        SOURCE_SHADEFORM,
        'cheapest US region. RTX 5090 (underlying cloud: evergreen); Shadeform is a broker re-listing other clouds; H100/A100 listings whose names do not state SXM/PCIe (or memory) are not mapped. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'simplepod', 'gpu_1x_rtx5090_32', 1, 'Europe-PL',
        Decimal("0.4600"), None, Decimal("0.46"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'simplepod', 'gpu_2x_rtx5090_64', 2, 'Europe-PL',
        Decimal("0.4600"), None, Decimal("0.92"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'simplepod', 'gpu_3x_rtx5090_96', 3, 'Europe-PL',
        Decimal("0.4600"), None, Decimal("1.38"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'simplepod', 'gpu_4x_rtx5090_128', 4, 'Europe-PL',
        Decimal("0.4600"), None, Decimal("1.84"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'simplepod', 'gpu_8x_rtx5090_256', 8, 'Europe-PL',
        Decimal("0.4200"), None, Decimal("3.36"),
        SOURCE_SIMPLEPOD,
        'cheapest region (no US region for this offer). consumer GPU marketplace listing; no US region in the catalog; duplicate instance names with different prices exist (cheapest kept). as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'vast', '1x-RTX_5090-32-65536', 1, 'British Columbia, CA, NA',
        Decimal("0.5300"), None, Decimal("0.53"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 5090; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: British Columbia, CA, NA; The Netherlands, NL, EU; Taiwan, TW, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'vast', '2x-RTX_5090-32-65536', 2, 'California, US, NA',
        Decimal("0.4000"), None, Decimal("0.8"),
        SOURCE_VAST,
        'cheapest US region. RTX 5090; Vast is a marketplace: median of the 3 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: California, US, NA; Germany, DE, EU; Jiangsu, CN, AS); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
    (
        'rtx-5090', 'vast', '8x-RTX_5090-32-65536', 8, 'Alberta, CA, NA',
        Decimal("0.7338"), None, Decimal("5.87"),
        SOURCE_VAST,
        'cheapest region (no US region for this offer). RTX 5090; Vast is a marketplace: median of the 1 catalog listing rows for this shape (this catalog version already gives one price per shape, identical across its regions: Alberta, CA, NA); catalog SpotPrice is 0.00, treated as none. as_of unknown: commit date not retrievable with the tools available (see README).',
    ),
]
# fmt: on

SEED_REASON = "Seeded by migration calculator 0009_seed_offers"


def seed_offers(apps, schema_editor):
    GpuType = apps.get_model("calculator", "GpuType")
    CloudOffer = apps.get_model("calculator", "CloudOffer")
    HistoricalCloudOffer = apps.get_model("calculator", "HistoricalCloudOffer")
    gpus = {gpu.slug: gpu for gpu in GpuType.objects.all()}
    offers = []
    for row in OFFERS:
        values = dict(zip(COLUMNS, row, strict=True))
        gpu = gpus.get(values.pop("gpu"))
        if gpu is not None:  # a catalog without that GPU (a test database) skips it
            offers.append(CloudOffer(gpu=gpu, as_of=None, **values))
    CloudOffer.objects.bulk_create(offers)
    # Start each row's history with the seeded values (bulk_create sends no signals).
    now = timezone.now()
    fields = [field.attname for field in CloudOffer._meta.concrete_fields]
    HistoricalCloudOffer.objects.bulk_create(
        HistoricalCloudOffer(
            **{name: getattr(offer, name) for name in fields},
            history_date=now,
            history_type="+",
            history_change_reason=SEED_REASON,
        )
        for offer in CloudOffer.objects.all()
    )


def unseed_offers(apps, schema_editor):
    apps.get_model("calculator", "CloudOffer").objects.all().delete()
    apps.get_model("calculator", "HistoricalCloudOffer").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0008_cloud_offers"),
    ]

    operations = [
        migrations.RunPython(seed_offers, unseed_offers),
    ]
