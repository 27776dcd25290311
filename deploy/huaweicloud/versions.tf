# fdi-provisioner on Huawei Cloud FunctionGraph (docs/DEPLOY.md). Build the package first:
#   npm run package:functiongraph   → dist/functiongraph/fdi-provisioner.zip (index.js, handler index.handler, and pipeline.js it loads on the first invocation)
terraform {
  required_version = ">= 1.5"
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.70"
    }
  }
}

# Credentials come from the environment (HW_ACCESS_KEY / HW_SECRET_KEY) or a profile, never from a variable here.
provider "huaweicloud" {
  region = var.region
}
