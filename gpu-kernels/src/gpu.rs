//! Device setup, pipelines and the small helpers every kernel launch uses.

use crate::GpuError;
use wgpu::util::DeviceExt;

/// Threads per workgroup in every kernel (`@workgroup_size(64)`).
const WG: u64 = 64;
/// Most workgroups per grid dimension (WebGPU limit).
const MAX_DIM: u64 = 65_535;

/// An opened GPU: device, queue and the compiled compute pipelines.
pub struct Gpu {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    name: String,
    software: bool,
    /// Largest buffer binding the kernels may use (bytes).
    pub(crate) max_binding: u64,
    pub(crate) lde_local: wgpu::ComputePipeline,
    pub(crate) butterfly: wgpu::ComputePipeline,
    pub(crate) absorb: wgpu::ComputePipeline,
    pub(crate) merkle: wgpu::ComputePipeline,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu")
            .field("adapter", &self.name)
            .field("max_binding", &self.max_binding)
            .finish()
    }
}

impl Gpu {
    /// Opens the first adapter wgpu finds (any backend; prefers a discrete GPU). Err(NoAdapter) when none.
    pub fn new() -> Result<Gpu, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = pollster::block_on(instance.request_adapter(&options))
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let name = format!("{} ({:?})", info.name, info.backend);
        let software = info.device_type == wgpu::DeviceType::Cpu;
        let limits = adapter.limits();
        let desc = wgpu::DeviceDescriptor {
            label: Some("zkm-gpu-kernels"),
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&desc))
            .map_err(|e| GpuError::Device(e.to_string()))?;
        let max_binding = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        Ok(Gpu {
            software,
            ..Self::with_device(device, queue, name, max_binding)
        })
    }

    fn with_device(
        device: wgpu::Device,
        queue: wgpu::Queue,
        name: String,
        max_binding: u64,
    ) -> Gpu {
        let lde = module(&device, "lde.wgsl", crate::LDE_WGSL);
        let blake = module(&device, "blake3.wgsl", crate::BLAKE3_WGSL);
        Gpu {
            lde_local: pipeline(&device, &lde, "lde_local"),
            butterfly: pipeline(&device, &lde, "butterfly"),
            absorb: pipeline(&device, &blake, "absorb"),
            merkle: pipeline(&device, &blake, "merkle_level"),
            device,
            queue,
            name,
            software: false,
            max_binding,
        }
    }

    /// e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)".
    pub fn adapter_name(&self) -> &str {
        &self.name
    }

    /// True for a software rasteriser (lavapipe / llvmpipe, WARP): correct but no faster than the CPU.
    pub fn is_software(&self) -> bool {
        self.software
    }

    /// Lowers the largest buffer binding the kernels use (bytes, at least 1 MiB), forcing
    /// column batching; for tests of the batching paths on small inputs.
    #[doc(hidden)]
    pub fn with_binding_limit(mut self, bytes: u64) -> Gpu {
        self.max_binding = self.max_binding.min(bytes.max(1 << 20));
        self
    }

    /// A storage buffer of `bytes` bytes (rounded up to 16) with the given extra usages.
    pub(crate) fn storage(
        &self,
        label: &str,
        bytes: u64,
        extra: wgpu::BufferUsages,
    ) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(16).div_ceil(16) * 16,
            usage: wgpu::BufferUsages::STORAGE | extra,
            mapped_at_creation: false,
        })
    }

    /// Records one kernel launch of `threads` threads: binding 0 = `params` (uniform), then
    /// `buffers` as (binding, buffer) pairs.
    pub(crate) fn dispatch(
        &self,
        enc: &mut wgpu::CommandEncoder,
        pipe: &wgpu::ComputePipeline,
        params: &[u32],
        buffers: &[(u32, &wgpu::Buffer)],
        threads: u64,
    ) {
        self.dispatch_groups(enc, pipe, params, buffers, threads.div_ceil(WG));
    }

    /// Like [`Gpu::dispatch`] but with a count of workgroups (2-D grid).
    pub(crate) fn dispatch_groups(
        &self,
        enc: &mut wgpu::CommandEncoder,
        pipe: &wgpu::ComputePipeline,
        params: &[u32],
        buffers: &[(u32, &wgpu::Buffer)],
        groups: u64,
    ) {
        let uniform = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("params"),
                contents: bytemuck::cast_slice(params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        for &(binding, b) in buffers {
            entries.push(wgpu::BindGroupEntry {
                binding,
                resource: b.as_entire_binding(),
            });
        }
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipe.get_bind_group_layout(0),
            entries: &entries,
        });
        let groups = groups.max(1);
        let x = groups.min(MAX_DIM);
        let y = groups.div_ceil(x);
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(pipe);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x as u32, y as u32, 1);
    }

    pub(crate) fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default())
    }

    /// Submits `enc` (or nothing, flushing queued writes) and blocks until the device is idle.
    pub(crate) fn submit_wait(&self, enc: Option<wgpu::CommandEncoder>) -> Result<(), GpuError> {
        match enc {
            Some(e) => self.queue.submit([e.finish()]),
            None => self.queue.submit([]),
        };
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| GpuError::Device(e.to_string()))
    }

    /// Copies `bytes` bytes of `src` (from `offset`) back to the host and hands them to `f`.
    pub(crate) fn read<T>(
        &self,
        src: &wgpu::Buffer,
        offset: u64,
        bytes: u64,
        f: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, GpuError> {
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size: bytes.max(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self.encoder();
        enc.copy_buffer_to_buffer(src, offset, &staging, 0, bytes);
        self.submit_wait(Some(enc))?;
        let (tx, rx) = std::sync::mpsc::channel();
        staging
            .slice(..bytes)
            .map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r);
            });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Device(e.to_string()))?;
        let mapped = rx.recv().map_err(|e| GpuError::Device(e.to_string()))?;
        mapped.map_err(|e| GpuError::Device(e.to_string()))?;
        let view = staging
            .slice(..bytes)
            .get_mapped_range()
            .map_err(|e| GpuError::Device(e.to_string()))?;
        let out = f(&view);
        drop(view);
        staging.unmap();
        Ok(out)
    }
}

fn module(device: &wgpu::Device, label: &str, src: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(src.into()),
    })
}

fn pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    entry: &str,
) -> wgpu::ComputePipeline {
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: None,
        module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions {
            zero_initialize_workgroup_memory: false,
            ..Default::default()
        },
        cache: None,
    })
}
