output "function_urn" {
  description = "The function's URN."
  value       = huaweicloud_fgs_function.provisioner.urn
}

output "function_name" {
  value = huaweicloud_fgs_function.provisioner.name
}

output "runtime" {
  value = huaweicloud_fgs_function.provisioner.runtime
}

output "agency_name" {
  description = "The agency the function runs with (OBS bucket and FDI tasks only)."
  value       = huaweicloud_identity_agency.function.name
}

output "manifest_location" {
  description = "Upload manifests here (.yaml or .yml)."
  value       = "obs://${var.bucket}/${var.manifest_prefix}"
}

output "destroy_location" {
  description = "Only with destroy_uploads: a manifest uploaded here DELETES the tasks it defines. null otherwise."
  value       = var.destroy_uploads ? "obs://${var.bucket}/${var.destroy_prefix}" : null
}

output "report_location" {
  value = "obs://${var.bucket}/${var.report_prefix}"
}

output "trigger_ids" {
  value = concat(
    [for t in huaweicloud_fgs_function_trigger.obs : t.id],
    [for t in huaweicloud_fgs_function_trigger.eventgrid : t.id],
  )
}
