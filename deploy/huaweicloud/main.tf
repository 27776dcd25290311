locals {
  fdi_endpoint = var.fdi_endpoint != "" ? var.fdi_endpoint : "https://roma.${var.region}.myhuaweicloud.com"
  code_in_obs  = var.code_bucket != ""
  code_key     = "fdi-provisioner/${filesha256(var.package_path)}.zip"

  # What the handler reads through context.getUserData (lib/trigger/functiongraph.ts). No secret: FDI and
  # OBS are reached with the agency's temporary credentials, which the context gives on every invocation.
  settings = {
    FDI_ENDPOINT    = local.fdi_endpoint
    FDI_PROJECT_ID  = var.fdi_project_id
    FDI_INSTANCE_ID = var.fdi_instance_id
    OBS_REGION      = var.region
    MANIFEST_PREFIX = var.manifest_prefix
    REPORT_PREFIX   = var.report_prefix
    STATE_PREFIX    = var.state_prefix
    LOG_LEVEL       = var.log_level
  }
  # Engine limits, left out when empty (the product's defaults then apply).
  limit_settings = {
    FDI_CONCURRENCY  = var.fdi_limits.concurrency
    FDI_RATE         = var.fdi_limits.rate
    FDI_BURST        = var.fdi_limits.burst
    FDI_MAX_ATTEMPTS = var.fdi_limits.max_attempts
    FDI_TIMEOUT_MS   = var.fdi_limits.timeout_ms
  }
  # The operator's policy (docs/SECURITY.md), left out when empty: without one, nothing is restricted.
  # Inline text, or the key of a policy object the function reads at the start of every run.
  policy_settings = {
    FDI_POLICY        = var.fdi_policy
    FDI_POLICY_OBJECT = var.fdi_policy_object
  }

  # The run-end notice (docs/NOTIFY.md): format, attempts and timeouts, left out when empty. The URL and
  # the headers hold credentials: they go to encrypted_user_data (below), never to user_data.
  notify_settings = {
    FDI_NOTIFY_FORMAT             = var.notify.format
    FDI_NOTIFY_ATTEMPTS           = var.notify.attempts
    FDI_NOTIFY_ATTEMPT_TIMEOUT_MS = var.notify.attempt_timeout_ms
    FDI_NOTIFY_TIMEOUT_MS         = var.notify.timeout_ms
  }
  notify_secrets = { for k, v in {
    FDI_NOTIFY_URL     = var.notify_url
    FDI_NOTIFY_HEADERS = var.notify_headers
  } : k => v if v != "" }

  # Destroy uploads (var.destroy_uploads, docs/DESTROY.md): passed only when enabled, never by default.
  destroy_settings = var.destroy_uploads ? {
    FDI_DESTROY_UPLOADS = "true"
    DESTROY_PREFIX      = var.destroy_prefix
  } : {}
  # The destroy prefix shares no key with the others (the function refuses it too, lib/config.ts): an
  # upload under the manifest prefix must never destroy, nor the function's own writes.
  destroy_prefix_overlaps = anytrue([
    for p in [var.manifest_prefix, var.report_prefix, var.state_prefix] :
    startswith(var.destroy_prefix, p) || startswith(p, var.destroy_prefix)
  ])

  # Where the policy object is: a key in var.bucket, or s3://bucket/key (OBS through its S3 API).
  policy_object_full   = can(regex("^s3://[^/]+/.+$", var.fdi_policy_object))
  policy_object_bucket = local.policy_object_full ? regex("^s3://([^/]+)/", var.fdi_policy_object)[0] : var.bucket
  policy_object_key    = local.policy_object_full ? regex("^s3://[^/]+/(.+)$", var.fdi_policy_object)[0] : var.fdi_policy_object
  # Uploaders can write the manifest prefix and the function writes the report and state prefixes: a
  # policy object there could be replaced by someone the policy is meant to restrict. (The function
  # refuses such a key in any bucket, lib/config.ts; this check fails the plan before it is deployed.)
  policy_object_in_function_prefix = anytrue([
    for p in concat([var.manifest_prefix, var.report_prefix, var.state_prefix], var.destroy_uploads ? [var.destroy_prefix] : []) :
    startswith(local.policy_object_key, p)
  ])

  # The objects that start a run: manifests (.yaml and .yml), and the continuations the function writes.
  obs_triggers = {
    manifest_yaml = { prefix = var.manifest_prefix, suffix = ".yaml" }
    manifest_yml  = { prefix = var.manifest_prefix, suffix = ".yml" }
    continuation  = { prefix = var.state_prefix, suffix = ".continue" }
  }
  # Only with destroy_uploads: manifests under the destroy prefix, which DELETE the tasks they define.
  # Anyone who can write that prefix can then delete tasks (docs/DESTROY.md; the policy rules for
  # destroy/... in docs/SECURITY.md). None by default.
  destroy_obs_triggers = var.destroy_uploads ? {
    destroy_yaml = { prefix = var.destroy_prefix, suffix = ".yaml" }
    destroy_yml  = { prefix = var.destroy_prefix, suffix = ".yml" }
  } : {}
}

locals {
  # OBS (a global service): read manifests, read and write reports and state, delete the state probe
  # object, list the bucket under the state prefix only (a missing key is then a 404, not a 403).
  obs_policy = {
    Version = "1.1"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["obs:object:GetObject", "obs:object:GetObjectVersion"]
        Resource = ["obs:*:*:object:${var.bucket}/${var.manifest_prefix}*"]
      },
      {
        Effect = "Allow"
        Action = ["obs:object:GetObject", "obs:object:PutObject"]
        Resource = [
          "obs:*:*:object:${var.bucket}/${var.report_prefix}*",
          "obs:*:*:object:${var.bucket}/${var.state_prefix}*",
        ]
      },
      {
        Effect   = "Allow"
        Action   = ["obs:object:DeleteObject"]
        Resource = ["obs:*:*:object:${var.bucket}/${var.state_prefix}*"]
      },
      {
        Effect    = "Allow"
        Action    = ["obs:bucket:ListBucket"]
        Resource  = ["obs:*:*:bucket:${var.bucket}"]
        Condition = { StringLike = { "obs:prefix" = ["${var.state_prefix}*"] } }
      },
      {
        Effect   = "Allow"
        Action   = ["obs:bucket:HeadBucket"]
        Resource = ["obs:*:*:bucket:${var.bucket}"]
      },
    ]
  }
  # Only with fdi_policy_object: read that one object (and its versions), nothing else in its prefix and
  # no write anywhere near it. No statement at all without a policy object.
  obs_policy_object_statements = [
    for key in compact([local.policy_object_key]) : {
      Effect   = "Allow"
      Action   = ["obs:object:GetObject", "obs:object:GetObjectVersion"]
      Resource = ["obs:*:*:object:${local.policy_object_bucket}/${key}"]
    }
  ]

  # Only with destroy_uploads: read the manifests uploaded under the destroy prefix (no write, no list).
  obs_destroy_statements = var.destroy_uploads ? [
    {
      Effect   = "Allow"
      Action   = ["obs:object:GetObject", "obs:object:GetObjectVersion"]
      Resource = ["obs:*:*:object:${var.bucket}/${var.destroy_prefix}*"]
    },
  ] : []

  # ROMA Connect (region-specific): only the FDI calls the provisioner makes (docs/FDI-API.md, the client
  # in lib/fdi/client/client.ts). Names from ROMA Connect's "Permissions and Supported Actions" (API
  # reference, "Data Integration Permissions"):
  #   list/get/create/update tasks   roma:tasks:list, get, create, update (schedules, i.e. dispatches, are
  #                                  parts of a task: the table lists no action of their own)
  #   batch start (batch-operation)  roma:tasks:operate
  #   list data sources              roma:datasources:list (not in the table: check the name in your region)
  # By default nothing that deletes (roma:tasks:delete only with destroy_uploads: roma_destroy_statements
  # below), and never a connector or instance action.
  #
  # What IAM cannot scope: ROMA Connect's actions support authorization by IAM project (region) and by
  # enterprise project only. They take no resource-level Resource (no instance URN) and no condition key
  # naming an instance, so this policy cannot name the allowed instances. The product's policy
  # (fdi_policy / fdi_policy_object: rules[].instances) restricts the instances per manifest prefix; on
  # Huawei's side, put the allowed instances in one enterprise project and set roma_enterprise_project.
  roma_policy = {
    Version = "1.1"
    Statement = [
      {
        Effect = "Allow"
        Action = [
          "roma:tasks:list",
          "roma:tasks:get",
          "roma:tasks:create",
          "roma:tasks:update",
          "roma:tasks:operate",
          "roma:datasources:list",
        ]
      },
    ]
  }
  # Only with destroy_uploads: a destroy upload deletes tasks (DELETE task). Its other calls (list, get,
  # batch stop = roma:tasks:operate, list data sources) are granted above. None by default.
  roma_destroy_statements = var.destroy_uploads ? [
    {
      Effect = "Allow"
      Action = ["roma:tasks:delete"]
    },
  ] : []
}

# --- Permissions: an agency FunctionGraph assumes, holding two custom policies and nothing else. ---

# OBS is a global service (type AX); ROMA Connect is region-specific (type XA, granted in the region's project).
resource "huaweicloud_identity_role" "obs" {
  name        = "${var.function_name}-obs"
  description = "fdi-provisioner: read ${var.manifest_prefix}*${var.destroy_uploads ? " and ${var.destroy_prefix}*" : ""}, read/write ${var.report_prefix}* and ${var.state_prefix}* in ${var.bucket}"
  type        = "AX"
  policy      = jsonencode(merge(local.obs_policy, { Statement = concat(local.obs_policy.Statement, local.obs_policy_object_statements, local.obs_destroy_statements) }))
}

resource "huaweicloud_identity_role" "roma" {
  name        = "${var.function_name}-roma-fdi"
  description = "fdi-provisioner: ${var.destroy_uploads ? "create, update, start and delete" : "create, update and start"} FDI tasks (ROMA Connect ${var.roma_enterprise_project != "" ? "instances of enterprise project ${var.roma_enterprise_project}" : "instances of ${var.region}"})"
  type        = "XA"
  policy      = jsonencode(merge(local.roma_policy, { Statement = concat(local.roma_policy.Statement, local.roma_destroy_statements) }))
}

resource "huaweicloud_identity_agency" "function" {
  name                  = "${var.function_name}-agency"
  description           = "FunctionGraph ${var.function_name}: OBS bucket ${var.bucket} and FDI tasks, nothing else"
  delegated_domain_name = "op_svc_cff" # the FunctionGraph service
  duration              = "FOREVER"

  # ROMA Connect: in the region's project (every instance there), or only in the enterprise project that
  # holds the allowed instances (roma_enterprise_project): the narrowest scope Huawei IAM offers for it.
  dynamic "project_role" {
    for_each = var.roma_enterprise_project == "" ? [var.region] : []
    content {
      project = project_role.value
      roles   = [huaweicloud_identity_role.roma.name]
    }
  }
  dynamic "enterprise_project_roles" {
    for_each = var.roma_enterprise_project != "" ? [var.roma_enterprise_project] : []
    content {
      enterprise_project = enterprise_project_roles.value
      roles              = [huaweicloud_identity_role.roma.name]
    }
  }
  domain_roles = [huaweicloud_identity_role.obs.name]
}

# --- The function ---

resource "huaweicloud_obs_bucket_object" "package" {
  count  = local.code_in_obs ? 1 : 0
  bucket = var.code_bucket
  key    = local.code_key
  source = var.package_path
  etag   = filemd5(var.package_path)
}

resource "huaweicloud_fgs_function" "provisioner" {
  name                  = var.function_name
  description           = "Provisions the FDI tasks of a manifest uploaded to ${var.bucket}/${var.manifest_prefix} and writes its report"
  app                   = "default"
  functiongraph_version = "v2"
  runtime               = var.runtime
  handler               = "index.handler"
  memory_size           = var.memory_size
  timeout               = var.timeout
  max_instance_num      = tostring(var.max_instances)
  agency                = huaweicloud_identity_agency.function.name

  code_type     = local.code_in_obs ? "obs" : "zip"
  func_code     = local.code_in_obs ? null : filebase64(var.package_path)
  code_filename = local.code_in_obs ? null : "fdi-provisioner.zip"
  code_url      = local.code_in_obs ? "https://${var.code_bucket}.obs.${var.region}.myhuaweicloud.com/${local.code_key}" : null

  user_data = jsonencode(merge(local.settings, local.destroy_settings, { for k, v in merge(local.limit_settings, local.policy_settings) : k => v if v != "" }, { for k, v in local.notify_settings : k => v if v != "" }))
  # Encrypted settings: the function reads them with getUserData like the others (docs/NOTIFY.md).
  encrypted_user_data = length(local.notify_secrets) > 0 ? jsonencode(local.notify_secrets) : null

  depends_on = [huaweicloud_obs_bucket_object.package]

  lifecycle {
    precondition {
      condition     = var.fdi_policy == "" || var.fdi_policy_object == ""
      error_message = "Set fdi_policy (inline) or fdi_policy_object (an object key), not both."
    }
    precondition {
      condition     = !local.policy_object_in_function_prefix
      error_message = "fdi_policy_object must not lie under manifest_prefix, report_prefix, state_prefix or (with destroy_uploads) destroy_prefix: uploaders write the first and the last, the function the others. Keep it under a prefix only the operator can write (e.g. operator/)."
    }
    precondition {
      condition     = !var.destroy_uploads || !local.destroy_prefix_overlaps
      error_message = "destroy_prefix must not overlap manifest_prefix, report_prefix or state_prefix: give destroy uploads a prefix of their own (e.g. destroy/)."
    }
  }
}

# --- Triggers ---

# The bucket's own event notifications (type OBS; event_data as FunctionGraph's trigger API takes it:
# bucket, events, name, prefix, suffix). One per rule: OBS filters on one prefix and one suffix. The
# destroy-prefix ones only with destroy_uploads.
resource "huaweicloud_fgs_function_trigger" "obs" {
  for_each     = var.trigger_type == "OBS" ? merge(local.obs_triggers, local.destroy_obs_triggers) : {}
  function_urn = huaweicloud_fgs_function.provisioner.urn
  type         = "OBS"
  status       = "ACTIVE"
  event_data = jsonencode({
    bucket = var.bucket
    events = ["s3:ObjectCreated:*"]
    name   = "${var.function_name}-${replace(each.key, "_", "-")}"
    prefix = each.value.prefix
    suffix = each.value.suffix
  })
}

# Where OBS triggers are replaced by EventGrid (OBS data-plane events via the default channel). EventGrid
# delivers every object created in the bucket; the handler ignores keys outside the prefixes and suffixes.
data "huaweicloud_eg_event_channels" "default" {
  count         = var.trigger_type == "EVENTGRID" ? 1 : 0
  provider_type = "OFFICIAL"
  name          = "default"
}

resource "huaweicloud_fgs_function_trigger" "eventgrid" {
  count                          = var.trigger_type == "EVENTGRID" ? 1 : 0
  function_urn                   = huaweicloud_fgs_function.provisioner.urn
  type                           = "EVENTGRID"
  status                         = "ACTIVE"
  cascade_delete_eg_subscription = true
  event_data = jsonencode({
    channel_id   = try(data.huaweicloud_eg_event_channels.default[0].channels[0].id, "")
    channel_name = try(data.huaweicloud_eg_event_channels.default[0].channels[0].name, "")
    source_name  = "HC.OBS.DWR"
    trigger_name = var.function_name
    agency       = var.eventgrid_agency_name
    bucket       = var.bucket
    event_types  = ["OBS:DWR:ObjectCreated:PUT", "OBS:DWR:ObjectCreated:POST"]
    Key_encode   = true
  })

  lifecycle {
    # FunctionGraph does not return all of event_data.
    ignore_changes = [event_data]
  }
}

# --- Asynchronous invocation: OBS and EventGrid invoke asynchronously; a failed run is retried. ---

resource "huaweicloud_fgs_async_invoke_configuration" "provisioner" {
  function_urn                   = huaweicloud_fgs_function.provisioner.urn
  max_async_retry_attempts       = var.async_retry_attempts
  max_async_event_age_in_seconds = var.async_event_max_age
  enable_async_status_log        = true
}
