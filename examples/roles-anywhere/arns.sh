# The ARNs of an example IAM Roles Anywhere set-up (account 123456789012).
TA=arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/0a1b2c3d-4e5f-6789-abcd-ef0123456789
PROFILE=arn:aws:rolesanywhere:us-east-1:123456789012:profile/9f8e7d6c-5b4a-3210-fedc-ba9876543210
ROLE=arn:aws:iam::123456789012:role/onprem
