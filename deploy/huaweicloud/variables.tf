variable "region" {
  description = "Huawei Cloud region of the function, the bucket and the ROMA Connect instance, e.g. cn-north-4."
  type        = string
}

variable "bucket" {
  description = "The OBS bucket that receives manifests and holds reports and state (it must exist)."
  type        = string
}

variable "fdi_project_id" {
  description = "The project ID in FDI API paths (/v2/{project_id}/fdi/...)."
  type        = string
}

variable "fdi_instance_id" {
  description = "The ROMA Connect instance whose FDI tasks are provisioned."
  type        = string
}

variable "fdi_endpoint" {
  description = "The ROMA Connect API endpoint; empty = https://roma.<region>.myhuaweicloud.com."
  type        = string
  default     = ""
}

variable "function_name" {
  description = "The FunctionGraph function's name."
  type        = string
  default     = "fdi-provisioner"
}

variable "runtime" {
  description = "Node.js runtime. Node.js22.18 is FunctionGraph's newest (Chinese mainland regions); where it is not offered use Node.js20.15. The package targets Node 20, so it runs on both."
  type        = string
  default     = "Node.js22.18"
}

variable "package_path" {
  description = "The zip `npm run package:functiongraph` writes (path relative to this folder)."
  type        = string
  default     = "../../dist/functiongraph/fdi-provisioner.zip"
}

variable "code_bucket" {
  description = "An OBS bucket to upload the package to (code_type obs); empty = upload the zip with the function (code_type zip)."
  type        = string
  default     = ""
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 512
}

variable "timeout" {
  description = "Seconds per invocation; a longer run checkpoints and continues in another invocation (state/*.continue)."
  type        = number
  default     = 900
}

variable "max_instances" {
  description = "Instances at most; 1 serialises runs against one FDI quota, like the Lambda's reserved concurrency 1."
  type        = number
  default     = 1
}

variable "manifest_prefix" {
  description = "Where manifests are uploaded (MANIFEST_PREFIX)."
  type        = string
  default     = "manifests/"
}

variable "report_prefix" {
  description = "Where reports are written (REPORT_PREFIX)."
  type        = string
  default     = "reports/"
}

variable "state_prefix" {
  description = "Where run state and continuations live (STATE_PREFIX)."
  type        = string
  default     = "state/"
}

variable "destroy_uploads" {
  description = "Destroy uploads (docs/DESTROY.md), off by default. true = a manifest uploaded under destroy_prefix (.yaml/.yml) DELETES the FDI tasks it defines: adds its OBS triggers, a read of that prefix and roma:tasks:delete to the agency, and FDI_DESTROY_UPLOADS/DESTROY_PREFIX to the settings. Anyone who can write destroy_prefix can then delete tasks: restrict writes to it and, with a policy, give it rules of its own with destroy: true (docs/SECURITY.md)."
  type        = bool
  default     = false
}

variable "destroy_prefix" {
  description = "Where destroy uploads go (DESTROY_PREFIX), only with destroy_uploads. It must not overlap manifest_prefix, report_prefix or state_prefix."
  type        = string
  default     = "destroy/"
  validation {
    condition     = can(regex("^[^/].*/$", var.destroy_prefix))
    error_message = "destroy_prefix must be a prefix such as destroy/: not empty (the whole bucket), not starting with / and ending with /."
  }
}

variable "fdi_limits" {
  description = "Engine limits (FDI_CONCURRENCY, FDI_RATE, FDI_BURST, FDI_MAX_ATTEMPTS, FDI_TIMEOUT_MS); empty values keep the product's defaults."
  type = object({
    concurrency  = optional(string, "")
    rate         = optional(string, "")
    burst        = optional(string, "")
    max_attempts = optional(string, "")
    timeout_ms   = optional(string, "")
  })
  default = {}
}

variable "trigger_type" {
  description = "OBS (the bucket's own event notification, filtered by prefix and suffix) or EVENTGRID (where OBS triggers are replaced by EventGrid; the function filters keys itself)."
  type        = string
  default     = "OBS"
  validation {
    condition     = contains(["OBS", "EVENTGRID"], var.trigger_type)
    error_message = "trigger_type must be OBS or EVENTGRID."
  }
}

variable "eventgrid_agency_name" {
  description = "EVENTGRID only: the agency EventGrid uses to invoke FunctionGraph (e.g. fgs_to_eg)."
  type        = string
  default     = ""
}

variable "async_retry_attempts" {
  description = "Retries of a failed asynchronous invocation (0-3); a duplicate delivery is a no-op thanks to the run lock."
  type        = number
  default     = 3
}

variable "async_event_max_age" {
  description = "Seconds an event may wait (and be retried) before it is dropped (1-86400)."
  type        = number
  default     = 21600
}

variable "log_level" {
  description = "LOG_LEVEL of the function (info, debug …)."
  type        = string
  default     = "info"
}

variable "fdi_policy" {
  description = "The operator's policy inline (YAML or JSON text, FDI_POLICY; docs/SECURITY.md): which manifest prefixes may target which projects and instances, with which bounds. Empty = no policy (nothing restricted). Set this or fdi_policy_object, not both."
  type        = string
  default     = ""
}

variable "fdi_policy_object" {
  description = "The policy as an object (FDI_POLICY_OBJECT): a key in the bucket, e.g. operator/fdi-policy.yaml, or s3://bucket/key. The agency may read this object only. It must not lie under manifest_prefix, report_prefix or state_prefix; keep it where only the operator can write. Empty = none."
  type        = string
  default     = ""
}

variable "notify_url" {
  description = "The webhook told of every run's end (FDI_NOTIFY_URL, docs/NOTIFY.md): https, e.g. a chat tool's incoming webhook or your relay. Passed as an encrypted setting: chat tools put their credential in the URL. Empty = no notice."
  type        = string
  default     = ""
  sensitive   = true
}

variable "notify_headers" {
  description = "Extra headers of the notice as a JSON object (FDI_NOTIFY_HEADERS), e.g. {\"Authorization\": \"Bearer …\"}; an encrypted setting. Empty = none."
  type        = string
  default     = ""
  sensitive   = true
}

variable "notify" {
  description = "The notice's format (json, feishu, dingtalk, wecom), attempts, and timeouts per attempt and overall in ms (FDI_NOTIFY_FORMAT, FDI_NOTIFY_ATTEMPTS, FDI_NOTIFY_ATTEMPT_TIMEOUT_MS, FDI_NOTIFY_TIMEOUT_MS); empty values keep the product's defaults. Keep timeout_ms well under the function's timeout."
  type = object({
    format             = optional(string, "")
    attempts           = optional(string, "")
    attempt_timeout_ms = optional(string, "")
    timeout_ms         = optional(string, "")
  })
  default = {}
}

variable "roma_enterprise_project" {
  description = "The enterprise project that holds the ROMA Connect instances the function may use. Set = the ROMA policy is granted in that enterprise project only; empty = in the region's project (every instance of the region). Huawei IAM cannot scope ROMA actions to an instance ID."
  type        = string
  default     = ""
}
